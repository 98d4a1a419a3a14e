"""The repository against a real database (SQLite always, PostgreSQL when configured)."""

import datetime as dt

import pytest

from service import recommendations
from service.orm import RecommendationRecord, Tenant
from service.repository import ListFilter, Position, RecommendationRepository

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)
TENANT = "ten_repository_tests"
OTHER = "ten_another_tenant"


@pytest.fixture(autouse=True)
def tenants(sessions):
    with sessions.begin() as session:
        for tenant in (TENANT, OTHER):
            session.add(Tenant(id=tenant, name=tenant, created_at=T0))


def record(n: int, **overrides) -> RecommendationRecord:
    fields = dict(
        id=f"rec_{n:026d}",
        tenant_id=TENANT,
        created_at=T0 + dt.timedelta(minutes=n),
        recommendation="product_engineers",
        stage="seed",
        business_model="b2b_saas",
        external_id=None,
        product_engineer_share=0.8,
        weight_profile_id="wp_default",
        model_version=1,
        model_hash="sha256:" + "0" * 64,
        profile={"stage": "seed"},
        document=f'{{"id":"rec_{n:026d}"}}',
    )
    return RecommendationRecord(**{**fields, **overrides})


@pytest.fixture
def store(sessions):
    def add(*records):
        with sessions.begin() as session:
            for r in records:
                RecommendationRepository(session, TENANT).add(r)

    return add


def newest(sessions, filters=ListFilter(), after=None, limit=10):
    with sessions() as session:
        return RecommendationRepository(session, TENANT).newest(filters, after, limit)


def test_document_round_trips_byte_for_byte(sessions, store):
    body = '{"id":"rec_x","summary":"Ünïcode ✓ and \\"quotes\\""}'
    store(record(1, document=body))
    with sessions() as session:
        assert RecommendationRepository(session, TENANT).document(record(1).id) == body


def test_created_at_comes_back_as_the_same_utc_instant(sessions, store):
    stamp = dt.datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=dt.timezone.utc)
    store(record(1, created_at=stamp))
    [(_, created_at, _)] = newest(sessions)
    assert created_at == stamp and created_at.tzinfo is not None


def test_newest_first_with_ties_broken_by_id(sessions, store):
    store(record(1), record(2), record(3, created_at=record(2).created_at))
    assert [row[0] for row in newest(sessions)] == [record(3).id, record(2).id, record(1).id]


def test_keyset_position_continues_strictly_after(sessions, store):
    store(*(record(n) for n in range(1, 6)))
    first = newest(sessions, limit=2)
    after = Position(created_at=first[-1][1], id=first[-1][0])
    assert [row[0] for row in newest(sessions, after=after, limit=10)] == [record(n).id for n in (3, 2, 1)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ListFilter(recommendation="both"), [2]),
        (ListFilter(stage="public"), [3]),
        (ListFilter(business_model="marketplace"), [2]),
        (ListFilter(external_id="REQ-1"), [1]),
        (ListFilter(created_after=T0 + dt.timedelta(minutes=1)), [3, 2]),
        (ListFilter(created_before=T0 + dt.timedelta(minutes=3)), [2, 1]),
        (ListFilter(stage="seed", recommendation="both"), [2]),
        (ListFilter(stage="public", recommendation="both"), []),
    ],
)
def test_filters(sessions, store, filters, expected):
    store(
        record(1, external_id="REQ-1"),
        record(2, recommendation="both", business_model="marketplace"),
        record(3, stage="public", recommendation="software_engineers"),
    )
    assert [row[0] for row in newest(sessions, filters)] == [record(n).id for n in expected]


def test_delete_reports_whether_anything_was_erased(sessions, store):
    store(record(1))
    with sessions.begin() as session:
        repo = RecommendationRepository(session, TENANT)
        assert repo.delete(record(1).id) is True
        assert repo.delete(record(1).id) is False


def test_a_failed_transaction_stores_nothing(sessions, store):
    with pytest.raises(RuntimeError):
        with sessions.begin() as session:
            RecommendationRepository(session, TENANT).add(record(1))
            session.flush()
            raise RuntimeError("boom")
    assert newest(sessions) == []


def test_service_create_stores_profile_model_and_body(sessions):
    profile = {"stage": "seed", "team_size": 3, "product_complexity": "low", "business_model": "b2b_saas",
               "priorities": [], "external_id": "REQ-9"}
    created = recommendations.create(profile, TENANT, sessions)
    with sessions() as session:
        stored = session.get(RecommendationRecord, created.id)
    assert stored.document == created.body
    assert stored.external_id == "REQ-9" and stored.model_version == 2 and stored.model_hash.startswith("sha256:")
    assert stored.profile["team_size"] == 3 and stored.profile["weight_profile_id"] == "wp_default"


def test_every_query_is_scoped_to_the_tenant(sessions, store):
    store(record(1), record(2))
    with sessions.begin() as session:
        other = RecommendationRepository(session, OTHER)
        other.add(record(3, tenant_id=OTHER))
        assert [row[0] for row in other.newest(ListFilter(), None, 10)] == [record(3).id]
        assert other.document(record(1).id) is None
        assert other.delete(record(1).id) is False
    assert [row[0] for row in newest(sessions)] == [record(2).id, record(1).id]


def test_a_repository_refuses_another_tenants_record(sessions):
    with sessions() as session, pytest.raises(ValueError):
        RecommendationRepository(session, OTHER).add(record(1))
