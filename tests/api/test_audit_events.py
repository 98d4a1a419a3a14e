"""GET /v1/audit-events: who changed what, per tenant, newest first, for keys with audit:read."""

import datetime as dt
import re

import pytest
from sqlalchemy import update

from service import keys
from service.audit.log import ACTIONS
from service.audit.tables import AuditEvent
from tests.api.conftest import VALID, problem
from tests.conftest import keyed_client


@pytest.fixture
def tenant(sessions):
    """Tenant a: a key with the default scopes (the worker), and one that may read the audit log (the auditor)."""
    worker = keys.create_key(sessions, name="tenant a")
    auditor = keys.create_key(sessions, name="auditor", tenant=worker.info.tenant_id, scopes=("audit:read",))
    return worker, auditor


@pytest.fixture
def worker(app, tenant):
    return keyed_client(app, tenant[0].secret)


@pytest.fixture
def auditor(app, tenant):
    return keyed_client(app, tenant[1].secret)


def _events(auditor, query=""):
    answer = auditor.get(f"/v1/audit-events{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["data"]


def _changes(auditor, query=""):
    """(action, actor key id, subject type, subject id) of each event, newest first."""
    return [(e["action"], e["actor"]["key_id"], e["subject"]["type"], e["subject"]["id"])
            for e in _events(auditor, query)]


def test_what_keys_change_is_recorded_with_the_key_that_did_it(worker, auditor, tenant):
    key_id = tenant[0].info.id
    recommendation = worker.post("/v1/recommendations", json={**VALID, "external_id": "REQ-7"}).get_json()
    profile = worker.post("/v1/weight-profiles", json={"name": "Ours"}).get_json()
    assert worker.post(f"/v1/weight-profiles/{profile['id']}/versions", json={"thresholds": {"upper": 0.7}}) \
        .status_code == 201
    link = worker.post(f"/v1/recommendations/{recommendation['id']}/share-links",
                       json={"expires_in_days": 5}).get_json()
    assert worker.delete(f"/v1/share-links/{link['id']}").status_code == 204
    assert worker.delete(f"/v1/share-links/{link['id']}").status_code == 204  # no second event
    assert worker.delete(f"/v1/recommendations/{recommendation['id']}").status_code == 204
    assert _changes(auditor, "?limit=100") == [
        ("recommendation.deleted", key_id, "recommendation", recommendation["id"]),
        ("share_link.revoked", key_id, "share_link", link["id"]),
        ("share_link.created", key_id, "share_link", link["id"]),
        ("weight_profile.version_created", key_id, "weight_profile", profile["id"]),
        ("weight_profile.created", key_id, "weight_profile", profile["id"]),
        ("recommendation.created", key_id, "recommendation", recommendation["id"]),
        ("api_key.created", None, "api_key", tenant[1].info.id),
        ("api_key.created", None, "api_key", key_id),
    ]
    events = {e["action"]: e for e in _events(auditor, "?limit=100")}
    assert events["share_link.created"]["details"] == {"recommendation_id": recommendation["id"],
                                                       "expires_at": link["expires_at"]}
    assert events["share_link.revoked"]["details"] == {"recommendation_id": recommendation["id"]}
    assert events["recommendation.created"]["details"] == {}  # nothing of the answer: a delete leaves no copy
    assert events["recommendation.deleted"]["actor"] == {"type": "api_key", "key_id": key_id}


def test_an_event_has_the_documented_shape(auditor, tenant):
    [event] = _events(auditor, "?limit=1")
    assert list(event) == ["id", "occurred_at", "actor", "action", "subject", "details"]
    assert re.fullmatch(r"aud_[0-9a-z]{26}", event["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", event["occurred_at"])
    assert event["actor"] == {"type": "command_line", "key_id": None}
    assert event["details"] == {"scopes": ["audit:read"]}


def test_a_key_made_at_the_command_line_shows_the_command_line_as_actor(app, auditor, tenant):
    made = app.test_cli_runner().invoke(args=["keys", "create", "--name", "ops", "--tenant",
                                              tenant[0].info.tenant_id, "--scope", "recommendations:read"])
    assert made.exit_code == 0, made.output
    new_key_id = next(k.id for k in keys.list_keys(app.extensions["hiremix"].sessions) if k.name == "ops")
    revoked = app.test_cli_runner().invoke(args=["keys", "revoke", new_key_id])
    assert revoked.exit_code == 0, revoked.output
    newest = _events(auditor, "?limit=2")
    assert [(e["action"], e["actor"], e["subject"]) for e in newest] == [
        ("api_key.revoked", {"type": "command_line", "key_id": None}, {"type": "api_key", "id": new_key_id}),
        ("api_key.created", {"type": "command_line", "key_id": None}, {"type": "api_key", "id": new_key_id}),
    ]
    assert newest[1]["details"] == {"scopes": ["recommendations:read"]}


def test_only_keys_with_audit_read_or_admin_may_read_it(app, anonymous, worker, tenant, sessions):
    problem(worker.get("/v1/audit-events"), 403, "insufficient_scope")
    problem(anonymous.get("/v1/audit-events"), 401, "unauthenticated")
    admin = keys.create_key(sessions, name="admin", tenant=tenant[0].info.tenant_id, scopes=("admin",))
    answer = keyed_client(app, admin.secret).get("/v1/audit-events")
    assert answer.status_code == 200 and len(answer.get_json()["data"]) == 3
    assert "audit:read" not in keys.DEFAULT_SCOPES


def test_each_tenant_sees_its_own_events_only(app, worker, auditor, tenant, sessions):
    other = keys.create_key(sessions, name="tenant b", scopes=("admin",))
    other_client = keyed_client(app, other.secret)
    theirs = other_client.post("/v1/recommendations", json=VALID).get_json()
    ours = worker.post("/v1/recommendations", json=VALID).get_json()
    assert [e["subject"]["id"] for e in _events(auditor, "?action=recommendation.created")] == [ours["id"]]
    assert _changes(other_client) == [("recommendation.created", other.info.id, "recommendation", theirs["id"]),
                                      ("api_key.created", None, "api_key", other.info.id)]
    assert _events(auditor, f"?subject_id={theirs['id']}") == []
    assert _events(auditor, f"?key_id={other.info.id}") == []


def test_filters_combine(worker, auditor, tenant, sessions):
    first = worker.post("/v1/recommendations", json=VALID).get_json()
    second = worker.post("/v1/recommendations", json=VALID).get_json()
    worker.delete(f"/v1/recommendations/{first['id']}")
    key_id = tenant[0].info.id
    assert _changes(auditor, "?action=recommendation.created") == [
        ("recommendation.created", key_id, "recommendation", second["id"]),
        ("recommendation.created", key_id, "recommendation", first["id"])]
    assert [e["action"] for e in _events(auditor, f"?subject_id={first['id']}")] == [
        "recommendation.deleted", "recommendation.created"]
    assert [e["action"] for e in _events(auditor, f"?subject_id={first['id']}&action=recommendation.deleted")] == [
        "recommendation.deleted"]
    assert len(_events(auditor, f"?key_id={key_id}")) == 3
    assert _events(auditor, "?key_id=key_nobody") == []
    # Time: move the events to known moments, then ask between them.
    moments = {"api_key.created": "2026-01-01T00:00:00+00:00", "recommendation.created": "2026-02-01T00:00:00+00:00",
               "recommendation.deleted": "2026-03-01T00:00:00+00:00"}
    with sessions.begin() as session:
        for action, moment in moments.items():
            session.execute(update(AuditEvent).where(AuditEvent.action == action)
                            .values(occurred_at=dt.datetime.fromisoformat(moment)))
    between = _events(auditor, "?occurred_after=2026-01-15T00:00:00Z&occurred_before=2026-02-15T00:00:00Z")
    assert sorted(e["subject"]["id"] for e in between) == sorted([first["id"], second["id"]])
    assert [e["action"] for e in _events(auditor, "?occurred_after=2026-02-01T00:00:00Z")] == [
        "recommendation.deleted"]  # strictly after
    assert {e["action"] for e in _events(auditor, "?occurred_before=2026-02-01T00:00:00%2B01:00")} == {
        "api_key.created"}
    assert _events(auditor, "?occurred_after=2026-03-01T00:00:00&key_id=" + key_id) == []


def test_pages_newest_first_with_a_cursor_and_a_link(worker, auditor):
    made = [worker.post("/v1/recommendations", json=VALID).get_json()["id"] for _ in range(3)]
    query = "?action=recommendation.created&limit=2"
    page = auditor.get(f"/v1/audit-events{query}")
    body = page.get_json()
    assert [e["subject"]["id"] for e in body["data"]] == [made[2], made[1]]
    assert body["has_more"] is True and body["next_cursor"].split(".")[1] == body["data"][1]["id"]
    assert page.headers["Link"] == ('<http://localhost/v1/audit-events?action=recommendation.created&limit=2'
                                    f'&cursor={body["next_cursor"]}>; rel="next"')
    rest = auditor.get(f"/v1/audit-events{query}&cursor={body['next_cursor']}").get_json()
    assert [e["subject"]["id"] for e in rest["data"]] == [made[0]]
    assert rest["has_more"] is False and rest["next_cursor"] is None
    assert len(_events(auditor)) == 5  # the default page holds them all: 3 made, 2 keys


@pytest.mark.parametrize("query, pointer, code", [
    ("limit=0", "/limit", "out_of_range"),
    ("limit=101", "/limit", "out_of_range"),
    ("limit=ten", "/limit", "invalid_type"),
    ("cursor=abc", "/cursor", "invalid_format"),
    (f"cursor=1.rec_{'0' * 26}", "/cursor", "invalid_format"),
    ("action=recommendation.viewed", "/action", "invalid_choice"),
    ("occurred_after=yesterday", "/occurred_after", "invalid_format"),
    ("occurred_before=2026-13-01T00:00:00Z", "/occurred_before", "invalid_format"),
    ("key_id=" + "k" * 41, "/key_id", "invalid_length"),
    ("subject_id=" + "s" * 129, "/subject_id", "invalid_length"),
    ("tenant_id=ten_x", "/tenant_id", "unknown_field"),
    ("action=share_link.created&action=share_link.revoked", "/action", "repeated_parameter"),
])
def test_bad_queries_are_422_naming_the_parameter(auditor, query, pointer, code):
    body = problem(auditor.get(f"/v1/audit-events?{query}"), 422, "validation_failed")
    assert [(e["pointer"], e["code"]) for e in body["errors"]] == [(pointer, code)]
    assert "k" * 41 not in body["detail"] and "recommendation.viewed" not in body["detail"]


def test_the_document_names_the_action_enum_and_the_scope(client):
    document = client.get("/openapi.json").get_json()
    operation = document["paths"]["/v1/audit-events"]["get"]
    assert operation["x-hiremix-scope"] == "audit:read"
    action = next(p for p in operation["parameters"] if p.get("name") == "action")
    assert action["schema"] == {"$ref": "#/components/schemas/AuditAction"}
    assert document["components"]["schemas"]["AuditAction"]["enum"] == list(ACTIONS)
    cursor = next(p for p in operation["parameters"] if p.get("name") == "cursor")
    assert cursor["schema"]["pattern"] == r"^[0-9]{1,16}\.aud_[0-9a-z]{26}$"
