"""Signing and sending one delivery: Standard Webhooks headers, a pinned address, a bounded wait."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import urllib3
from standardwebhooks import Webhook

from service.webhooks.targets import Target

USER_AGENT = "hiremix-webhooks/1"
_READ_AT_MOST = 1024  # of the receiver's answer: only its status matters


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signature(secrets: list[str], message_id: str, at: dt.datetime, payload: str) -> str:
    """The `webhook-signature` header: one `v1,<base64>` per active secret, space-separated (two during a
    rotation, so receivers holding either secret verify)."""
    return " ".join(Webhook(secret).sign(message_id, at, payload) for secret in secrets)


def headers(secrets: list[str], message_id: str, payload: str, at: dt.datetime | None = None) -> dict[str, str]:
    at = at or dt.datetime.now(dt.timezone.utc)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature(secrets, message_id, at, payload),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def send(target: Target, address: str, payload: str, signed_headers: dict[str, str], timeout_s: float) -> Outcome:
    """POST `payload` to `target`, connecting to the already checked `address`; redirects are not followed."""
    started = time.monotonic()
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    if ":" in target.host and not target.host.startswith("["):
        host_header = f"[{target.host}]" + ("" if target.port in (80, 443) else f":{target.port}")
    timeout = urllib3.Timeout(connect=timeout_s, read=timeout_s)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1,
                                           server_hostname=target.host, assert_hostname=target.host,
                                           cert_reqs="CERT_REQUIRED")
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
    try:
        response = pool.urlopen("POST", target.path, body=payload.encode("utf-8"),
                                headers={**signed_headers, "Host": host_header}, redirect=False,
                                preload_content=False, assert_same_host=False)
        try:
            response.read(_READ_AT_MOST)
        finally:
            response.release_conn()
        status = response.status
        error = None if 200 <= status < 300 else f"The receiver answered {status}."
        return Outcome(status, error, _since(started))
    except urllib3.exceptions.HTTPError as failure:
        return Outcome(None, _reason(failure, timeout_s), _since(started))
    finally:
        pool.close()


def _reason(failure: Exception, timeout_s: float) -> str:
    # NewConnectionError first: urllib3 makes it a kind of ConnectTimeoutError.
    if isinstance(failure, urllib3.exceptions.NewConnectionError):
        return "The connection was refused or could not be made."
    if isinstance(failure, (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError)):
        return f"No answer within {timeout_s:g} s."
    if isinstance(failure, urllib3.exceptions.SSLError):
        return "The TLS handshake failed (certificate not valid for the host, or no TLS)."
    return f"The connection failed ({type(failure).__name__})."[:500]


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
