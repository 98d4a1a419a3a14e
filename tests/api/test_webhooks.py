"""Webhook endpoints over the API, and the worker delivering to a real local receiver (examples/)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
import importlib.util
import json
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, update
from standardwebhooks import Webhook

from service.audit.tables import AuditEvent
from service.config import Settings
from service.webhooks import targets
from service.webhooks.tables import WebhookDelivery, WebhookEndpoint, WebhookEvent
from service.webhooks.worker import RETRY_SCHEDULE_S, Worker, retry_delay
from tests.api.conftest import VALID, problem
from tests.conftest import keyed_client

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webhook_receiver.py"
_spec = importlib.util.spec_from_file_location("webhook_receiver", EXAMPLE)
receiver_example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(receiver_example)


class Receiver:
    """examples/webhook_receiver.py's handler on a free loopback port, in a thread."""

    def __init__(self, secret: str, tmp_path: Path, delay_s: float = 0.0):
        self.record = tmp_path / "received.jsonl"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0),
                                          receiver_example.make_handler(Webhook(secret), str(self.record), delay_s))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self) -> list[dict]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def endpoint(client, url="http://127.0.0.1:9/hooks", events=("recommendation.created",), **more):
    response = client.post("/v1/webhook-endpoints", json={"url": url, "event_types": list(events), **more})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def worker(app, **settings) -> Worker:
    runtime = app.extensions["hiremix"]
    return Worker(replace(runtime.settings, **settings), runtime.sessions)


def deliveries(sessions, **where):
    with sessions() as session:
        query = select(WebhookDelivery)
        for name, value in where.items():
            query = query.where(getattr(WebhookDelivery, name) == value)
        return session.execute(query).scalars().all()


# -- managing endpoints -----------------------------------------------------------------------------------

def test_create_shows_the_secret_once_and_keeps_it_encrypted(client, sessions):
    created = endpoint(client, description="ATS sync")
    assert created["secret"].startswith("whsec_") and len(created["secret"]) == 6 + 32
    assert created["enabled"] is True and created["disabled_reason"] is None
    assert created["event_types"] == ["recommendation.created"] and created["description"] == "ATS sync"
    fetched = client.get(f"/v1/webhook-endpoints/{created['id']}").get_json()
    assert "secret" not in fetched and fetched == {k: v for k, v in created.items() if k != "secret"}
    listed = client.get("/v1/webhook-endpoints").get_json()
    assert [item["id"] for item in listed["data"]] == [created["id"]] and "secret" not in listed["data"][0]
    with sessions() as session:
        stored = session.execute(select(WebhookEndpoint)).scalar_one()
    assert created["secret"] not in stored.secret_encrypted and created["secret"][6:] not in stored.secret_encrypted


@pytest.mark.parametrize(("body", "pointer"), [
    ({"url": "ftp://example.com/", "event_types": ["recommendation.created"]}, "/url"),
    ({"url": "http://example.com/hooks", "event_types": ["recommendation.created"]}, "/url"),
    ({"url": "https://10.1.2.3/hooks", "event_types": ["recommendation.created"]}, "/url"),
    ({"url": "https://169.254.169.254/latest", "event_types": ["recommendation.created"]}, "/url"),
    ({"url": "https://user:pw@example.com/", "event_types": ["recommendation.created"]}, "/url"),
    ({"url": "https://example.com/", "event_types": []}, "/event_types"),
    ({"url": "https://example.com/", "event_types": ["recommendation.updated"]}, "/event_types/0"),
    ({"url": "https://example.com/", "event_types": ["recommendation.created", "recommendation.created"]},
     "/event_types"),
    ({"url": "https://example.com/"}, "/event_types"),
    ({"url": "https://example.com/" + "a" * 2100, "event_types": ["recommendation.created"]}, "/url"),
])
def test_bad_endpoints_are_refused_naming_the_field(client, body, pointer, stored_count):
    response = client.post("/v1/webhook-endpoints", json=body)
    body_ = problem(response, 422, "validation_failed")
    assert pointer in [error["pointer"] for error in body_["errors"]]
    assert len(response.data) < 4000
    assert client.get("/v1/webhook-endpoints").get_json()["data"] == []


def test_production_refuses_http_and_loopback_targets(tmp_path):
    for url in ("http://127.0.0.1:9000/hooks", "https://127.0.0.1/hooks", "https://localhost/hooks",
                "https://[::1]/hooks", "https://[::ffff:192.168.0.1]/", "https://100.64.0.1/",
                # IPv6 forms that reach an IPv4 address: NAT64, 6to4, IPv4-compatible, Teredo
                "https://[64:ff9b::a00:1]/", "https://[2002:7f00:1::]/", "https://[::127.0.0.1]/",
                "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "https://198.18.0.1/"):
        with pytest.raises(targets.TargetRefused):
            targets.resolve(targets.parse(url, production=True), production=True)
    # A public name that resolves to a private address is refused after resolution, on every attempt.
    public_name = targets.parse("https://hooks.example.com/x", production=True)
    with pytest.raises(targets.TargetRefused, match="10.0.0.7 is a private address"):
        targets.resolve(public_name, production=True,
                        lookup=lambda *a, **k: [(2, 1, 6, "", ("10.0.0.7", 443))])
    with pytest.raises(targets.TargetRefused, match="private"):  # one bad answer among good ones refuses all
        targets.resolve(public_name, production=True,
                        lookup=lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 443)), (2, 1, 6, "", ("10.0.0.7", 443))])
    assert targets.resolve(public_name, production=True,
                           lookup=lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 443))]) == "93.184.216.34"
    assert targets.parse("https://例え.jp/x", production=True).host == "xn--r8jz45g.jp"  # as certificates say it


def test_production_needs_an_encryption_key():
    from service.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="HIREMIX_ENCRYPTION_KEYS is required in production"):
        Settings.load({"HIREMIX_ENV": "production", "HIREMIX_ENCRYPTION_KEYS": ""})
    with pytest.raises(ConfigurationError, match="development key is public"):
        Settings.load({"HIREMIX_ENV": "production",
                       "HIREMIX_ENCRYPTION_KEYS": "aGlyZW1peC1kZXZlbG9wbWVudC1rZXktbm90LXNlY3I="})
    with pytest.raises(ConfigurationError, match="key 1 is not a Fernet key"):
        Settings.load({"HIREMIX_ENCRYPTION_KEYS": "short"})


def test_update_disable_enable_and_delete(client, sessions):
    created = endpoint(client)
    path = f"/v1/webhook-endpoints/{created['id']}"
    problem(client.patch(path, json={}), 422, "validation_failed")
    problem(client.patch(path, json={"enabled": "no"}), 422, "validation_failed")
    problem(client.patch(path, json={"enabled": 0}), 422, "validation_failed")
    changed = client.patch(path, json={"event_types": ["recommendation.deleted"], "description": "x"}).get_json()
    assert changed["event_types"] == ["recommendation.deleted"] and changed["description"] == "x"
    disabled = client.patch(path, json={"enabled": False}).get_json()
    assert disabled["enabled"] is False and disabled["disabled_reason"] == "Disabled through the API."
    problem(client.post(f"{path}/test"), 409, "endpoint_disabled")
    enabled = client.patch(path, json={"enabled": True}).get_json()
    assert enabled["enabled"] is True and enabled["disabled_reason"] is None
    assert client.delete(path).status_code == 204
    problem(client.get(path), 404, "not_found")
    with sessions() as session:
        actions = session.execute(select(AuditEvent.action).where(AuditEvent.subject_id == created["id"])
                                  .order_by(AuditEvent.occurred_at, AuditEvent.id)).scalars().all()
    assert actions == ["webhook_endpoint.created"] + ["webhook_endpoint.updated"] * 3 + ["webhook_endpoint.deleted"]


def test_endpoints_need_the_scope_and_stay_within_the_tenant(app, client, new_key):
    created = endpoint(client)
    reader = keyed_client(app, new_key("reader", scopes=("recommendations:read",)))
    problem(reader.get("/v1/webhook-endpoints"), 403, "insufficient_scope")
    other = keyed_client(app, new_key("another tenant"))
    problem(other.get(f"/v1/webhook-endpoints/{created['id']}"), 404, "not_found")
    problem(other.delete(f"/v1/webhook-endpoints/{created['id']}"), 404, "not_found")
    assert other.get("/v1/webhook-endpoints").get_json()["data"] == []


def test_changes_queue_events_in_their_own_transaction_only_for_subscribers(client, sessions, create):
    created_only = endpoint(client)
    both = endpoint(client, events=("recommendation.created", "recommendation.deleted",
                                    "weight_profile.version_created"))
    rec = create().get_json()
    client.post("/v1/weight-profiles", json={"name": "Ours"})
    assert client.delete(f"/v1/recommendations/{rec['id']}").status_code == 204
    with sessions() as session:
        events = session.execute(select(WebhookEvent.type, WebhookEvent.payload)).all()
        rows = session.execute(select(WebhookDelivery.endpoint_id, WebhookEvent.type)
                               .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)).all()
    # The created event about the deleted answer was erased with it; the deletion carries only the id.
    assert sorted(type_ for type_, _ in events) == ["recommendation.deleted", "weight_profile.version_created"]
    deleted_payload = json.loads(next(p for t, p in events if t == "recommendation.deleted"))
    assert deleted_payload["data"] == {"id": rec["id"]}
    assert sorted(rows) == sorted([(both["id"], "recommendation.deleted"),
                                   (both["id"], "weight_profile.version_created")])
    assert created_only["id"] not in {endpoint_id for endpoint_id, _ in rows}


def test_a_refused_batch_item_or_a_422_queues_nothing(client, sessions):
    endpoint(client)
    client.post("/v1/recommendations", json={**VALID, "stage": "nope"})
    client.post("/v1/recommendations/batch", json={"items": [VALID, {**VALID, "team_size": -1}]})
    with sessions() as session:
        assert session.execute(select(WebhookEvent.type)).scalars().all() == ["recommendation.created"]


# -- the worker and a real receiver ----------------------------------------------------------------------

def test_delivered_signed_verified_and_recorded(app, client, sessions, create, tmp_path):
    placeholder = endpoint(client)
    receiver = Receiver(placeholder["secret"], tmp_path)
    try:
        client.patch(f"/v1/webhook-endpoints/{placeholder['id']}", json={"url": receiver.url})
        stored = create()
        body = stored.get_data(as_text=True)
        assert worker(app).work_once() == 1
        [got] = receiver.received()
        assert got["type"] == "recommendation.created" and got["repeat"] is False
        assert json.dumps(got["event"]["data"], ensure_ascii=False, separators=(",", ":")) == body
        [delivery] = deliveries(sessions)
        assert (delivery.status, delivery.attempt_count, delivery.last_status_code) == ("succeeded", 1, 204)
        listed = client.get(f"/v1/webhook-endpoints/{placeholder['id']}/deliveries").get_json()["data"]
        assert listed[0]["attempts"][0]["status_code"] == 204 and listed[0]["event_id"] == got["id"]
        # A re-send is a new delivery of the same event: the receiver sees the same webhook-id, a repeat.
        resent = client.post(f"/v1/webhook-endpoints/{placeholder['id']}/deliveries/{delivery.id}/resend")
        assert resent.status_code == 202 and resent.get_json()["event_id"] == got["id"]
        worker(app).work_once()
        assert [(r["id"], r["repeat"]) for r in receiver.received()] == [(got["id"], False), (got["id"], True)]
    finally:
        receiver.close()


def test_test_event_and_rotation_sign_with_both_secrets_for_a_day(app, client, tmp_path):
    created = endpoint(client)
    rotated = client.post(f"/v1/webhook-endpoints/{created['id']}/rotate-secret").get_json()
    assert rotated["secret"] != created["secret"]
    old, new = Receiver(created["secret"], tmp_path / "old"), None
    (tmp_path / "old").mkdir(exist_ok=True)
    (tmp_path / "new").mkdir()
    new = Receiver(rotated["secret"], tmp_path / "new")
    try:
        for receiver in (old, new):
            client.patch(f"/v1/webhook-endpoints/{created['id']}", json={"url": receiver.url})
            queued = client.post(f"/v1/webhook-endpoints/{created['id']}/test")
            assert queued.status_code == 202 and queued.get_json()["event_type"] == "webhook.test"
            worker(app).work_once()
            [got] = receiver.received()
            assert got["type"] == "webhook.test" and got["event"]["data"]["endpoint_id"] == created["id"]
    finally:
        old.close()
        new.close()


def test_a_receiver_down_is_retried_on_schedule_then_marked_failed(app, client, sessions, create):
    created = endpoint(client, url="http://127.0.0.1:9/hooks")  # port 9: nothing listens
    create()
    w = worker(app)
    assert w.work_once() == 1
    [delivery] = deliveries(sessions)
    assert delivery.status == "pending" and delivery.attempt_count == 1 and delivery.last_status_code is None
    wait = (delivery.next_attempt_at - delivery.updated_at).total_seconds()
    assert RETRY_SCHEDULE_S[0] * 0.75 <= wait <= RETRY_SCHEDULE_S[0] * 1.25
    assert w.work_once() == 0  # not due yet
    for _ in RETRY_SCHEDULE_S:  # make every retry due at once
        with sessions.begin() as session:
            session.execute(update(WebhookDelivery).values(next_attempt_at=dt.datetime.now(dt.timezone.utc)))
        w.work_once()
    [delivery] = deliveries(sessions)
    assert (delivery.status, delivery.attempt_count) == ("failed", len(RETRY_SCHEDULE_S) + 1)
    assert delivery.next_attempt_at is None and "refused" in delivery.last_error
    page = client.get(f"/v1/webhook-endpoints/{created['id']}/deliveries?status=failed").get_json()
    assert len(page["data"][0]["attempts"]) == len(RETRY_SCHEDULE_S) + 1


def test_the_retry_schedule_spans_about_a_day_with_jitter():
    import random

    rng = random.Random(7)
    spans = [sum(retry_delay(n, rng) for n in range(1, len(RETRY_SCHEDULE_S) + 1)) / 3600 for _ in range(200)]
    assert 17.7 < min(spans) and max(spans) < 29.7  # hours: 23.7 without jitter, each wait within ±25 %
    assert 22.7 < sum(spans) / len(spans) < 24.7
    assert len({round(retry_delay(1, rng), 3) for _ in range(20)}) > 10  # jittered, not one fixed instant
    assert retry_delay(len(RETRY_SCHEDULE_S) + 1) is None


def test_an_endpoint_failing_for_days_is_disabled_and_says_why(app, client, sessions, create):
    created = endpoint(client, url="http://127.0.0.1:9/hooks")
    with sessions.begin() as session:
        session.execute(update(WebhookEndpoint).values(
            failing_since=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=6)))
    create()
    w = worker(app)
    w.work_once()  # one more failure after a quiet spell does not disable it: its retries are not spent
    assert client.get(f"/v1/webhook-endpoints/{created['id']}").get_json()["enabled"] is True
    for _ in RETRY_SCHEDULE_S:  # every retry fails too: the delivery runs out of them
        with sessions.begin() as session:
            session.execute(update(WebhookDelivery).values(next_attempt_at=dt.datetime.now(dt.timezone.utc)))
        w.work_once()
    shown = client.get(f"/v1/webhook-endpoints/{created['id']}").get_json()
    assert shown["enabled"] is False and "every delivery failed since" in shown["disabled_reason"]
    with sessions() as session:
        actor = session.execute(select(AuditEvent.key_id).where(AuditEvent.action == "webhook_endpoint.disabled")
                                ).scalar_one()
    assert actor is None
    # Nothing new is queued for it; what failed can be re-sent once it is enabled again.
    create()
    [only] = client.get(f"/v1/webhook-endpoints/{created['id']}/deliveries").get_json()["data"]
    assert only["status"] == "failed" and only["attempt_count"] == len(RETRY_SCHEDULE_S) + 1
    problem(client.post(f"/v1/webhook-endpoints/{created['id']}/deliveries/{only['id']}/resend"), 409,
            "endpoint_disabled")
    client.patch(f"/v1/webhook-endpoints/{created['id']}", json={"enabled": True})
    assert client.post(f"/v1/webhook-endpoints/{created['id']}/deliveries/{only['id']}/resend").status_code == 202


def test_a_delivery_still_due_to_a_disabled_endpoint_fails_with_the_reason(app, client, sessions, create):
    created = endpoint(client, url="http://127.0.0.1:9/hooks")
    create()
    client.patch(f"/v1/webhook-endpoints/{created['id']}", json={"enabled": False})
    worker(app).work_once()
    [delivery] = deliveries(sessions)
    assert (delivery.status, delivery.attempt_count) == ("failed", 1)
    assert delivery.last_error == "The endpoint is disabled: Disabled through the API."


def test_a_delivery_is_claimed_by_one_worker_only(app, client, sessions, create):
    endpoint(client, url="http://127.0.0.1:9/hooks")
    create()
    first, second = worker(app), worker(app)
    assert len(first.claim(10)) == 1
    assert second.claim(10) == []  # held until the first one's lock runs out


def test_a_lock_left_by_a_dead_worker_runs_out(app, client, sessions, create):
    endpoint(client, url="http://127.0.0.1:9/hooks")
    create()
    assert len(worker(app).claim(10)) == 1  # then "dies" without recording anything
    with sessions.begin() as session:
        session.execute(update(WebhookDelivery).values(
            locked_until=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    assert len(worker(app).claim(10)) == 1


def test_a_target_that_now_resolves_privately_is_not_sent(app, client, sessions, create):
    endpoint(client, url="http://localhost:9/hooks")
    create()
    sent = []
    production_worker = Worker(replace(app.extensions["hiremix"].settings, environment="production"),
                               app.extensions["hiremix"].sessions, send=lambda *a: sent.append(a))
    production_worker.work_once()
    [delivery] = deliveries(sessions)
    assert sent == [] and delivery.last_error.startswith("Not sent: ") and delivery.status == "pending"


def test_https_deliveries_verify_the_certificate_against_the_url_host(tmp_path):
    """The connection goes to the checked address, but TLS still verifies the URL's host name: a receiver whose
    certificate is not trusted gets nothing."""
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from service.webhooks import sender

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    hits = []
    receiver = Receiver("whsec_" + "A" * 32, tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    port = receiver.server.server_address[1]
    try:
        target = targets.parse(f"https://localhost:{port}/hooks", production=False)
        outcome = sender.send(target, "127.0.0.1", '{"type":"webhook.test"}',
                              sender.headers(["whsec_" + "A" * 32], "msg_x", '{"type":"webhook.test"}'), 5)
        hits = receiver.received()
    finally:
        receiver.close()
    assert outcome.status_code is None and outcome.error.startswith("The TLS handshake failed")
    assert hits == []


def test_an_attempt_ends_at_its_time_limit_even_against_a_receiver_that_drips(tmp_path):
    """A receiver that answers a byte every 0.2 s never trips a per-read timeout; the attempt's own limit
    cuts it off."""
    import socket
    import time

    from service.webhooks import sender

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def drip():
        connection, _ = listener.accept()
        connection.recv(65536)
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                connection.sendall(bytes([byte]))
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            connection.close()

    threading.Thread(target=drip, daemon=True).start()
    target = targets.parse(f"http://127.0.0.1:{port}/hooks", production=False)
    started = time.monotonic()
    outcome = sender.send(target, "127.0.0.1", "{}", {"webhook-id": "msg_x"}, 1.0)
    listener.close()
    assert time.monotonic() - started < 2.0
    assert outcome.status_code is None and outcome.error == "No complete answer within 1 s."


def test_two_workers_never_hold_one_delivery_even_when_sends_outlast_a_batch(app, client, sessions, create):
    """Each claim's lock starts with its own attempt: two workers, sends slower than the lock would allow for a
    batch, and still one send per delivery."""
    import time

    endpoint(client, url="http://127.0.0.1:9/hooks")
    for _ in range(6):
        create()
    sent = []

    def slow_send(target, address, payload, headers, timeout_s):
        sent.append(headers["webhook-id"])
        time.sleep(0.3)
        from service.webhooks.sender import Outcome
        return Outcome(204, None, 300)

    runtime = app.extensions["hiremix"]
    settings = replace(runtime.settings, webhook_lock_s=1.2, webhook_timeout_s=0.1)
    workers = [Worker(settings, runtime.sessions, send=slow_send) for _ in range(2)]
    threads = [threading.Thread(target=lambda w=w: [w.work_once() for _ in range(8)]) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 6
    assert [d.status for d in deliveries(sessions)] == ["succeeded"] * 6


def test_a_secret_that_cannot_be_decrypted_fails_that_delivery_only(app, client, sessions, create):
    created = endpoint(client, url="http://127.0.0.1:9/hooks")
    create()
    runtime = app.extensions["hiremix"]
    other_key = "b3RoZXIta2V5LW9mLWhpcmVtaXgtZm9yLXRoZS10ZXM="
    settings = replace(runtime.settings, encryption_keys=(other_key,))
    assert Worker(settings, runtime.sessions).work_once() == 1
    [delivery] = deliveries(sessions)
    assert delivery.status == "pending" and "cannot be decrypted" in delivery.last_error
    assert created["secret"] not in delivery.last_error


def test_a_claim_longer_than_twice_the_attempt_limit_is_required():
    from service.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="HIREMIX_WEBHOOK_LOCK_SECONDS"):
        Settings.load({"HIREMIX_WEBHOOK_TIMEOUT": "30", "HIREMIX_WEBHOOK_LOCK_SECONDS": "60"})


def test_an_unexpected_error_in_a_delivery_does_not_stop_the_worker(app, client, sessions, create, caplog):
    import logging
    import signal

    endpoint(client, url="http://127.0.0.1:9/hooks")
    create()
    runtime = app.extensions["hiremix"]
    settings = replace(runtime.settings, webhook_poll_s=0.1)
    calls = []

    def boom(*_args):
        calls.append(1)
        if len(calls) == 2:
            w.stopping.set()  # the second round: the loop survived the first error
        raise RuntimeError("a bug")

    w = Worker(settings, runtime.sessions, send=boom)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    logger = logging.getLogger("hiremix.webhooks")
    logger.addHandler(caplog.handler)
    try:
        # A short hold: the delivery the error left held comes back after 1.2 s, for the second round.
        w.settings = replace(settings, webhook_lock_s=1.2, webhook_timeout_s=0.1)
        w.run()
    finally:
        logger.removeHandler(caplog.handler)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert len(calls) == 2 and "a delivery failed unexpectedly" in caplog.text
