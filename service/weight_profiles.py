"""Use cases of weight profiles: create, add a version, fetch, list, and resolve for evaluation.

Versions are immutable: nothing here updates a version row, and a
recommendation records the exact version and hash it was decided with.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.audit import log as audit
from service.engine import DEFAULT_WEIGHT_PROFILE, Thresholds, WeightProfile
from service.engine.weights import BUILT_IN, TeamSizeCurve, derive, upgrade
from service.errors import HiremixError, InvalidInput, NotFound, field_error
from service.ids import new_id
from service.orm import WeightProfileRecord, WeightProfileVersionRecord
from service.paging import VERSION_CURSOR, invalid_cursor, newest_first, rfc3339, split_page
from service.webhooks import outbox


VERSION_MAX = 1_000_000


@dataclass(frozen=True)
class Page:
    documents: list[dict]
    next_cursor: str | None


BUILT_IN_NAMES = {1: "Built-in weights, model 1", 2: "Built-in weights, model 2"}


def built_in_document(version: int | None = None) -> dict:
    profile = BUILT_IN[version or DEFAULT_WEIGHT_PROFILE.version]
    return document(profile, BUILT_IN_NAMES[profile.version], None)


def create(data: dict, tenant_id: str, sessions: sessionmaker, *, key_id: str | None = None) -> dict:
    """Version 1: the built-in profile of the chosen model (model 2 unless `model_version` says 1) with the
    caller's changes."""
    profile = _derived(BUILT_IN[data.get("model_version") or DEFAULT_WEIGHT_PROFILE.version], data, new_id("wp"), 1)
    now = _now()
    with sessions.begin() as session:
        session.add(WeightProfileRecord(id=profile.id, tenant_id=tenant_id, created_at=now, latest_version=1))
        session.flush()  # the profile row must exist before its version names it
        metadata = data.get("metadata") or {}
        session.add(_version_row(profile, data["name"], now, metadata))
        created = document(profile, data["name"], now, metadata)
        _versioned(session, created, tenant_id, key_id, "weight_profile.created")
    return created


def _versioned(session: Session, created: dict, tenant_id: str, key_id: str | None, action: str) -> None:
    """What a new version sets off, in its own transaction: an audit event and `weight_profile.version_created`."""
    audit.record(session, tenant_id=tenant_id, key_id=key_id, action=action, subject_type="weight_profile",
                 subject_id=created["id"], details={"version": created["version"]})
    outbox.emit(session, tenant_id=tenant_id, event_type="weight_profile.version_created", data=created,
                subject_id=created["id"])


def add_version(profile_id: str, data: dict, tenant_id: str, sessions: sessionmaker, *,
                key_id: str | None = None) -> dict:
    """The next version: the latest version with the caller's changes. Earlier versions stay as they are."""
    if profile_id == DEFAULT_WEIGHT_PROFILE.id:
        raise InvalidInput(
            "The built-in weight profile cannot get new versions; create your own with POST /v1/weight-profiles.",
            errors=[field_error("", "not_applicable", "Create a weight profile of your own instead.")],
        )
    for _attempt in range(10):
        try:
            with sessions.begin() as session:
                # FOR UPDATE makes concurrent new versions of one profile wait their turn on PostgreSQL;
                # SQLite has one writer at a time, and a lost race is retried below.
                record = session.execute(
                    select(WeightProfileRecord).where(WeightProfileRecord.id == profile_id).with_for_update()
                ).scalar_one_or_none()
                if record is None or record.tenant_id != tenant_id:
                    raise NotFound(f"No weight profile '{profile_id}'.")
                latest = _version(session, profile_id, record.latest_version)
                number = record.latest_version + 1
                profile = _derived(_moved_to(_engine_profile(latest), data.get("model_version"), number), data,
                                   profile_id, number)
                name = data.get("name", latest.name)
                metadata = data["metadata"] if "metadata" in data else latest.metadata_ or {}
                now = _now()
                session.add(_version_row(profile, name, now, metadata))
                session.flush()
                moved = session.execute(
                    WeightProfileRecord.__table__.update()
                    .where(WeightProfileRecord.id == profile_id, WeightProfileRecord.latest_version == number - 1)
                    .values(latest_version=number)
                ).rowcount
                if moved != 1:
                    raise _Raced()
                created = document(profile, name, now, metadata)
                _versioned(session, created, tenant_id, key_id, "weight_profile.version_created")
        except (IntegrityError, _Raced):
            continue  # another version was added at the same moment: build on that one
        return created
    raise VersionConflict("Other versions of this weight profile are being added right now; retry in a moment.")


def fetch(profile_id: str, version: int | None, tenant_id: str, sessions: sessionmaker) -> dict:
    """One version (the latest by default) of the built-in profile or one of the tenant's."""
    if profile_id == DEFAULT_WEIGHT_PROFILE.id:
        if version not in (None, *BUILT_IN):
            raise NotFound(f"The built-in weight profile has versions 1 and {DEFAULT_WEIGHT_PROFILE.version}.")
        return built_in_document(version)
    with sessions() as session:
        record = _owned(session, profile_id, tenant_id)
        row = _version(session, profile_id, record.latest_version if version is None else version)
    return document(_stored_profile(row), row.name, row.created_at, row.metadata_)


def newest(query: dict, tenant_id: str, sessions: sessionmaker) -> Page:
    """The tenant's weight profiles (latest versions), newest first."""
    limit = query["limit"]
    table = WeightProfileRecord
    statement = select(table, WeightProfileVersionRecord).join(
        WeightProfileVersionRecord,
        and_(WeightProfileVersionRecord.weight_profile_id == table.id,
             WeightProfileVersionRecord.version == table.latest_version),
    ).where(table.tenant_id == tenant_id)
    for key, value in (query.get("metadata") or {}).items():  # JSON paths work alike on SQLite and PostgreSQL
        statement = statement.where(WeightProfileVersionRecord.metadata_[key].as_string() == value)
    statement = newest_first(statement, table.created_at, table.id, query.get("cursor"), "wp_", limit)
    with sessions() as session:
        rows, cursor = split_page(session.execute(statement).all(), limit,
                                  lambda row: (row[0].created_at, row[0].id))
    documents = [document(_stored_profile(v), v.name, v.created_at, v.metadata_) for _p, v in rows]
    return Page(documents, cursor)


def versions(profile_id: str, query: dict, tenant_id: str, sessions: sessionmaker) -> Page:
    """Every version of one profile, newest first."""
    if profile_id == DEFAULT_WEIGHT_PROFILE.id:
        return Page([built_in_document(number) for number in sorted(BUILT_IN, reverse=True)], None)
    limit = query["limit"]
    with sessions() as session:
        _owned(session, profile_id, tenant_id)  # 404 unless it is the caller's
        statement = select(WeightProfileVersionRecord).where(WeightProfileVersionRecord.weight_profile_id == profile_id)
        if "cursor" in query:
            below = _version_cursor(query["cursor"])
            statement = statement.where(WeightProfileVersionRecord.version < below)
        rows = session.execute(
            statement.order_by(WeightProfileVersionRecord.version.desc()).limit(limit + 1)
        ).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    documents = [document(_stored_profile(r), r.name, r.created_at, r.metadata_) for r in rows]
    return Page(documents, f"v{rows[-1].version}" if more else None)


def resolve(profile_id: str | None, version: int | None, tenant_id: str, sessions: sessionmaker,
            pointer: str = "/weight_profile_id") -> WeightProfile:
    """The exact weights a request names: 422 (naming the field) when they do not exist for this tenant.

    A stored version is read in one query and, once made ready, kept by id, version and hash (see
    `_READY`), so a profile named again decides with the tables the engine built for it before.
    """
    if profile_id in (None, DEFAULT_WEIGHT_PROFILE.id):
        if version not in (None, *BUILT_IN):
            raise _unknown(pointer.replace("_id", "_version"), f"The built-in weight profile has versions 1 "
                                                              f"(model 1) and {DEFAULT_WEIGHT_PROFILE.version} "
                                                              "(model 2).")
        return BUILT_IN[version or DEFAULT_WEIGHT_PROFILE.version]
    with sessions() as session:
        chosen = WeightProfileRecord.latest_version if version is None else version
        row = session.execute(_NAMED_VERSION.where(WeightProfileVersionRecord.version == chosen),
                              {"profile_id": profile_id, "tenant_id": tenant_id}).scalar_one_or_none()
        if row is None:  # say which part is missing
            record = session.get(WeightProfileRecord, profile_id)
            if record is None or record.tenant_id != tenant_id:
                raise _unknown(pointer, f"No weight profile '{profile_id}'; the built-in one is "
                                        f"'{DEFAULT_WEIGHT_PROFILE.id}'.")
            raise _unknown(pointer.replace("_id", "_version"),
                           f"Weight profile '{profile_id}' has versions 1 to {record.latest_version}.")
    return _READY.get(row)


# The version a request names, of a profile of the caller's tenant: one query (the version is added per call).
_NAMED_VERSION = (
    select(WeightProfileVersionRecord)
    .join(WeightProfileRecord, WeightProfileRecord.id == WeightProfileVersionRecord.weight_profile_id)
    .where(WeightProfileRecord.id == bindparam("profile_id"), WeightProfileRecord.tenant_id == bindparam("tenant_id"))
)


class _ReadyProfiles:
    """Engine-ready weight profiles by (id, version, hash), shared by the requests of this process.

    A version never changes once written, so what `_engine_profile` makes of it (and the scoring tables the
    engine keeps in the profile's memo) stays right. The key carries the stored hash as well: a row whose
    numbers were ever rewritten is a new entry and is checked against its hash again. The least recently
    used entry goes when `size` are kept.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, WeightProfile] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, row: WeightProfileVersionRecord) -> WeightProfile:
        key = (row.weight_profile_id, row.version, row.hash)
        with self._lock:
            ready = self._kept.get(key)
            if ready is not None:
                self._kept.move_to_end(key)
                return ready
        ready = _engine_profile(row)  # outside the lock: two threads may both make it; either is right
        with self._lock:
            self._kept[key] = ready
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return ready

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


_READY = _ReadyProfiles()


def resolver(tenant_id: str, sessions: sessionmaker):
    """resolve() for many profiles in one request: each named profile and version is read once.

    The returned function takes a profile dict and the pointer of its
    weight_profile_id (for the 422 when it names nothing of this tenant's).
    """
    known: dict[tuple, WeightProfile] = {}

    def weights_of(profile: dict, pointer: str = "/weight_profile_id") -> WeightProfile:
        named = (profile.get("weight_profile_id"), profile.get("weight_profile_version"))
        if named not in known:
            known[named] = resolve(*named, tenant_id, sessions, pointer=pointer)
        return known[named]

    return weights_of


def draft(data: dict) -> WeightProfile:
    """An inline, unsaved profile for a simulation: the built-in one (of `model_version`, model 2 by
    default) with the given changes."""
    base = BUILT_IN[data.get("model_version") or DEFAULT_WEIGHT_PROFILE.version]
    return _derived(base, data, "draft", 1, pointer="/weight_profile")


class _Raced(Exception):
    pass


class VersionConflict(HiremixError):
    status = 409
    code = "version_conflict"
    headers = {"Retry-After": "1"}


def _moved_to(latest: WeightProfile, model_version: int | None, number: int) -> WeightProfile:
    """What a new version builds on: the latest version, carried onto model 2 when its owner asks."""
    if model_version in (None, latest.model_version):
        return latest
    if model_version == 2:
        return upgrade(latest, id=latest.id, version=number)
    raise InvalidInput("A weight profile made on model 2 cannot go back to model 1.",
                       errors=[field_error("/model_version", "not_applicable",
                                           "This profile is on model 2; create a new profile for model 1.")])


def _derived(base: WeightProfile, data: dict, profile_id: str, version: int, pointer: str = "") -> WeightProfile:
    model = base.model_version
    if model == 1 and (data.get("interactions") or data.get("team_size_curve")):
        sent = "interactions" if data.get("interactions") else "team_size_curve"
        raise InvalidInput(f"{sent} exist only in model 2.", errors=[field_error(
            f"{pointer}/{sent}", "not_applicable", "Only model 2 has this; send \"model_version\": 2 to move to it.")])
    if model == 2 and (data.get("leans") or {}).get("team_size"):
        raise InvalidInput("Model 2 has no team-size band leans.", errors=[field_error(
            f"{pointer}/leans/team_size", "not_applicable", "Model 2 leans team size along a curve: tune "
                                                            "team_size_curve instead.")])
    thresholds = data.get("thresholds") or {}
    lower = thresholds.get("lower", base.thresholds.lower)
    upper = thresholds.get("upper", base.thresholds.upper)
    if lower > upper:
        sent = "lower" if "lower" in thresholds else "upper"  # point at what the caller sent
        raise InvalidInput(
            "The thresholds are out of order.",
            errors=[field_error(f"{pointer}/thresholds/{sent}", "out_of_range",
                                f"lower ({lower:g}) must not be above upper ({upper:g}).")],
        )
    return derive(base, id=profile_id, version=version, weights=data.get("weights"), leans=data.get("leans"),
                  lower=thresholds.get("lower"), upper=thresholds.get("upper"),
                  interactions=data.get("interactions"), team_size_curve=data.get("team_size_curve"))


def _stored_profile(row: WeightProfileVersionRecord) -> WeightProfile:
    """The stored version exactly as made, checked against its hash."""
    curve = None if row.team_size_midpoint is None else TeamSizeCurve(row.team_size_midpoint, row.team_size_steepness)
    stored = WeightProfile(id=row.weight_profile_id, version=row.version, weights=row.weights, leans=row.leans,
                           thresholds=Thresholds(row.threshold_lower, row.threshold_upper),
                           combination=row.combination, interactions=row.interactions or {}, team_size_curve=curve)
    if stored.hash != row.hash:  # the stored numbers must still be the ones that were hashed
        raise RuntimeError(f"weight profile {row.weight_profile_id} v{row.version} does not match its hash")
    return stored


def _engine_profile(row: WeightProfileVersionRecord) -> WeightProfile:
    """The stored version, ready to decide with."""
    stored = _stored_profile(row)
    model = BUILT_IN[stored.model_version]  # each version decides with the model it was made on
    complete = all(name in stored.weights for name in model.weights) and all(
        set(model.leans[name]) <= set(stored.leans.get(name, {})) for name in model.leans) and set(
        model.interactions) <= set(stored.interactions)
    if complete:
        return stored
    # A factor or value added to the model after this version was made takes the built-in number; the
    # result then carries the hash of the numbers really used, not the stored one.
    return derive(model, id=stored.id, version=stored.version, weights=stored.weights,
                  leans=stored.leans, lower=stored.thresholds.lower, upper=stored.thresholds.upper,
                  interactions=stored.interactions)


def _version_row(profile: WeightProfile, name: str, now: dt.datetime, metadata: dict) -> WeightProfileVersionRecord:
    canonical = profile.canonical()
    return WeightProfileVersionRecord(
        weight_profile_id=profile.id, version=profile.version, name=name, created_at=now,
        weights=canonical["weights"], leans=canonical["leans"],
        threshold_lower=profile.thresholds.lower, threshold_upper=profile.thresholds.upper, hash=profile.hash,
        combination=profile.combination, interactions=canonical.get("interactions"),
        team_size_midpoint=profile.team_size_curve and profile.team_size_curve.midpoint,
        team_size_steepness=profile.team_size_curve and profile.team_size_curve.steepness,
        metadata_=metadata or None,  # none: NULL, as in the versions made before metadata
    )


def document(profile: WeightProfile, name: str, created_at: dt.datetime | None, metadata: dict | None = None) -> dict:
    """One version as the API shows it: the same bytes for as long as it exists (`metadata` is the version's own;
    a version made before metadata existed has none, `{}`)."""
    canonical = profile.canonical()
    return {
        "id": profile.id,
        "name": name,
        "version": profile.version,
        "hash": profile.hash,
        "created_at": None if created_at is None else rfc3339(created_at),
        "combination": profile.combination,
        "model_version": profile.model_version,
        "weights": canonical["weights"],
        "leans": canonical["leans"],
        "thresholds": canonical["thresholds"],
        "interactions": canonical.get("interactions"),
        "team_size_curve": canonical.get("team_size_curve"),
        "metadata": dict(sorted((metadata or {}).items())),
    }


def _owned(session: Session, profile_id: str, tenant_id: str) -> WeightProfileRecord:
    record = session.get(WeightProfileRecord, profile_id)
    if record is None or record.tenant_id != tenant_id:
        raise NotFound(f"No weight profile '{profile_id}'.")
    return record


def _version(session: Session, profile_id: str, version: int) -> WeightProfileVersionRecord:
    row = session.get(WeightProfileVersionRecord, (profile_id, version))
    if row is None:
        raise NotFound(f"Weight profile '{profile_id}' has no version {version}.")
    return row


def _version_cursor(cursor: str) -> int:
    if re.fullmatch(VERSION_CURSOR[1:-1], cursor):
        return int(cursor[1:])
    raise invalid_cursor()


def _unknown(pointer: str, message: str) -> InvalidInput:
    """A body value naming a weight profile (or version) the caller does not have: a bad value, so 422."""
    return InvalidInput("The request names a weight profile that does not exist.",
                        errors=[field_error(pointer, "unknown_weight_profile", message)])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
