"""Signing and sending one delivery: Standard Webhooks headers, a pinned address, a bounded wait."""

from __future__ import annotations

import datetime as dt
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

import urllib3
import urllib3.connection
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
    """POST `payload` to `target`, connecting to the already checked `address`; redirects are not followed.

    The whole attempt, from connecting to the last byte read, ends after `timeout_s`: a watchdog closes the
    socket then, so a receiver that answers a byte at a time cannot hold a worker longer.
    """
    started = time.monotonic()
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    if ":" in target.host and not target.host.startswith("["):
        host_header = f"[{target.host}]" + ("" if target.port in (80, 443) else f":{target.port}")
    if target.scheme == "https":
        connection = urllib3.connection.HTTPSConnection(address, target.port, timeout=timeout_s,
                                                        server_hostname=target.host, assert_hostname=target.host,
                                                        cert_reqs="CERT_REQUIRED")
    else:
        connection = urllib3.connection.HTTPConnection(address, target.port, timeout=timeout_s)
    expired = threading.Event()

    def cut_off():
        expired.set()
        sock = connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(timeout_s, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target.path, body=payload.encode("utf-8"),
                           headers={**signed_headers, "Host": host_header})
        response = connection.getresponse()
        response.read(_READ_AT_MOST)
        status = response.status
        if expired.is_set():
            raise TimeoutError
        error = None if 200 <= status < 300 else f"The receiver answered {status}."
        return Outcome(status, error, _since(started))
    except (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException, ValueError) as failure:
        return Outcome(None, f"No complete answer within {timeout_s:g} s." if expired.is_set()
                       else _reason(failure, timeout_s), _since(started))
    finally:
        watchdog.cancel()
        connection.close()


def _reason(failure: Exception, timeout_s: float) -> str:
    # NewConnectionError first: urllib3 makes it a kind of ConnectTimeoutError.
    if isinstance(failure, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError)):
        return "The connection was refused or could not be made."
    if isinstance(failure, (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError)):
        return f"No answer within {timeout_s:g} s."
    if isinstance(failure, (urllib3.exceptions.SSLError, ssl.SSLError)):
        return "The TLS handshake failed (certificate not valid for the host, or no TLS)."
    if isinstance(failure, TimeoutError):
        return f"No answer within {timeout_s:g} s."
    return f"The connection failed ({type(failure).__name__})."[:500]


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
