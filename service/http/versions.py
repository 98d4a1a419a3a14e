"""Dated contract versions (`Hiremix-Version`) and deprecation notices (RFC 9745 `Deprecation`, RFC 8594 `Sunset`).

Every answer names the version it follows. A request may pin one of the versions served; without a pin it
gets the newest. A version changes headers and the shape of new answers only: a stored answer is returned
as it was stored, whatever the pin. CHANGELOG.md records what each version changed.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, Response, g, request
from werkzeug.http import http_date

from service.errors import HiremixError, field_error

HEADER = "Hiremix-Version"
# Oldest first. Both behave alike today: every change so far was additive (CHANGELOG.md). A change that
# could break a client would be a new date here, with the old behaviour kept for requests pinned before it.
VERSIONS = ("2026-11-26", "2026-11-28")
CURRENT = VERSIONS[-1]


class UnsupportedVersion(HiremixError):
    status = 400
    code = "unsupported_version"


def version() -> str:
    """The version this request follows: its pin, or the newest."""
    return g.get("hiremix_version", CURRENT)


def register(app: Flask) -> None:
    @app.before_request
    def _pin():
        g.hiremix_version = CURRENT
        pinned = request.headers.get(HEADER)
        if pinned is None:
            return
        pinned = pinned.strip()
        if pinned not in VERSIONS:
            served = ", ".join(VERSIONS)
            raise UnsupportedVersion(
                f"The {HEADER} header names no version this server serves; it serves {served}.",
                errors=[field_error("", "unsupported_version", f"Send one of {served}, or leave the header out "
                                                               f"for the newest ({CURRENT}).", header=HEADER)])
        g.hiremix_version = pinned

    @app.after_request
    def _name_the_version(response: Response) -> Response:
        response.headers[HEADER] = version()
        response.vary.add(HEADER)  # a cache keeps one copy per pin: the answer names the version asked for
        return response


class Deprecated:
    """Something still served that has a successor: the headers that say so, on every answer that uses it."""

    def __init__(self, since: dt.datetime, sunset: dt.datetime):
        self.since, self.sunset = since, sunset

    def headers(self, successor_path: str) -> dict[str, str]:
        return {
            # RFC 9745: a Structured Field date, seconds since the epoch.
            "Deprecation": f"@{int(self.since.timestamp())}",
            # RFC 8594: an HTTP-date.
            "Sunset": http_date(self.sunset),
            "Link": f'<{successor_path}>; rel="successor-version"',
        }


_UTC = dt.timezone.utc
# Version 2026-11-28 gave the CSV export and the result page their own operations; asking the JSON
# operations for CSV or HTML with Accept still works until the sunset.
ACCEPT_NEGOTIATION = Deprecated(since=dt.datetime(2026, 11, 28, tzinfo=_UTC),
                                sunset=dt.datetime(2027, 5, 31, tzinfo=_UTC))
