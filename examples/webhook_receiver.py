#!/usr/bin/env python3
"""A webhook receiver for hiremix events: verifies each delivery the Standard Webhooks way, drops repeats.

    pip install standardwebhooks        # (already in hiremix's own venv)
    python examples/webhook_receiver.py --port 9000 --secret whsec_...

Register it (in development, plain http to 127.0.0.1 is allowed):

    curl -s -u "$HIREMIX_KEY:" http://127.0.0.1:8000/v1/webhook-endpoints -H 'Content-Type: application/json' \\
      -d '{"url": "http://127.0.0.1:9000/hooks", "event_types": ["recommendation.created"]}'

then start `flask --app service webhooks work` and store a recommendation. What to copy into your own receiver:
verify before anything else, answer 2xx fast, and remember the `webhook-id`s handled (deliveries come at least
once), handling each event once. `--record FILE` appends one JSON line per verified delivery (repeats marked),
and `--delay` answers slowly: tests use both.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

MAX_BODY = 1024 * 1024


def handle(event: dict, message_id: str) -> None:
    """Your integration's part: update the requisition, note the deletion... Here: one line per event."""
    shown = event["data"].get("id") or event["data"].get("endpoint_id") or ""
    print(f"{event['type']} {shown} ({message_id})", flush=True)


def make_handler(webhook: Webhook, record: str | None, delay_s: float):
    seen: set[str] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._answer(413, "too large")
            body = self.rfile.read(length)
            try:
                event = webhook.verify(body, dict(self.headers))
            except WebhookVerificationError as refused:
                return self._answer(400, f"signature not verified: {refused}")
            if delay_s:
                time.sleep(delay_s)
            message_id = self.headers["webhook-id"]
            with lock:
                repeat = message_id in seen
                seen.add(message_id)
                if record:
                    with open(record, "a", encoding="utf-8") as out:
                        out.write(json.dumps({"id": message_id, "type": event["type"], "repeat": repeat,
                                              "received_at": time.time(), "event": event}) + "\n")
            if repeat:  # handled already: answer 2xx so it is not sent again, and do nothing more
                print(f"dropped a repeat of {message_id}", flush=True)
            else:
                handle(event, message_id)
            self._answer(204)

        def _answer(self, status: int, text: str = "") -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # the line printed above says enough
            pass

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", default=os.environ.get("HIREMIX_WEBHOOK_SECRET"),
                        help="the endpoint's whsec_... secret (or HIREMIX_WEBHOOK_SECRET)")
    parser.add_argument("--record", help="append one JSON line per verified delivery to this file")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering")
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("give --secret whsec_... (shown when the endpoint was created)")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(Webhook(args.secret), args.record,
                                                                        args.delay))
    print(f"listening on http://127.0.0.1:{args.port}/hooks", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
