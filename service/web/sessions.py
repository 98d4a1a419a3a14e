"""Console sessions kept in the database, as a Flask session interface.

The browser holds one random id in an HttpOnly, SameSite cookie scoped to the console's path; the database
holds its SHA-256 with the session's data (the signed-in key's id, Flask-WTF's CSRF token) and its end, so
any instance behind the load balancer can serve any request and signing out ends the session everywhere.
The API key itself is never stored, in the cookie or the row. Requests without the cookie cost nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, select
from werkzeug.datastructures import CallbackDict

from service import keys
from service.orm import ApiKey
from service.web.tables import ConsoleSession

COOKIE = "hiremix_console"
PATH = "/console"
ANONYMOUS_S = 3600.0  # a session nobody signed in with (the sign-in form's CSRF token) ends within the hour
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


class ConsoleSessionData(CallbackDict, SessionMixin):
    """The session's data, plus what the row said: the signed-in key's principal, and whether it had ended."""

    def __init__(self, initial=None, token: str | None = None, principal: keys.Principal | None = None,
                 ended: bool = False):
        def on_update(data):
            data.modified = True

        super().__init__(initial, on_update)
        self.token, self.principal, self.ended = token, principal, ended
        self.modified = False
        self.renew = False  # sign-in: a new id for the signed-in session (no fixation of an id set before)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class DatabaseSessions(SessionInterface):
    def __init__(self, sessions, lifetime_s: float, secure: bool):
        self.sessions, self.lifetime_s, self.secure = sessions, lifetime_s, secure

    def open_session(self, app: Flask, request: Request):
        if not (request.path == PATH or request.path.startswith(PATH + "/")):
            return self.make_null_session(app)
        token = request.cookies.get(COOKIE, "")
        if not _TOKEN.match(token):
            return ConsoleSessionData(ended=bool(token))
        query = (select(ConsoleSession.data, ConsoleSession.expires_at, ConsoleSession.key_id, ApiKey.tenant_id,
                        ApiKey.scopes, ApiKey.revoked_at)
                 .outerjoin(ApiKey, ApiKey.id == ConsoleSession.key_id)
                 .where(ConsoleSession.id_hash == _hash(token)))
        with self.sessions() as session:
            row = session.execute(query).first()
        if row is None or row.expires_at <= _now() or (row.key_id is not None and row.revoked_at is not None):
            return ConsoleSessionData(ended=True)
        principal = None
        if row.key_id is not None:
            principal = keys.Principal(key_id=row.key_id, tenant_id=row.tenant_id, scopes=frozenset(row.scopes.split()))
        return ConsoleSessionData(row.data, token=token, principal=principal)

    def save_session(self, app: Flask, session, response: Response) -> None:
        if self.is_null_session(session):
            return
        had_row = session.token is not None
        if had_row and (session.renew or not session):
            self._forget(session.token)  # signed out, or signed in afresh: the old id is worth nothing now
            session.token = None
        if not session:
            if had_row or session.ended:
                response.delete_cookie(COOKIE, path=PATH, secure=self.secure, httponly=True, samesite="Lax")
            return
        if session.token is not None and not session.modified:
            return
        key_id = session.get("key_id")
        if session.token is None:
            session.token = secrets.token_urlsafe(32)
            lifetime = self.lifetime_s if key_id else min(self.lifetime_s, ANONYMOUS_S)
            now = _now()
            expires = now + dt.timedelta(seconds=lifetime)
            with self.sessions.begin() as db:
                db.add(ConsoleSession(id_hash=_hash(session.token), key_id=key_id, data=dict(session),
                                      created_at=now, expires_at=expires))
            response.set_cookie(COOKIE, session.token, max_age=int(lifetime), path=PATH, secure=self.secure,
                                httponly=True, samesite="Lax")
        else:
            with self.sessions.begin() as db:
                row = db.get(ConsoleSession, _hash(session.token))
                if row is not None:
                    row.data, row.key_id = dict(session), key_id
        response.vary.add("Cookie")

    def _forget(self, token: str) -> None:
        with self.sessions.begin() as db:
            db.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == _hash(token)))


def purge(sessions) -> int:
    """Delete ended sessions (housekeeping runs this with the other purges)."""
    from service.housekeeping import in_batches

    return in_batches(sessions, ConsoleSession, ConsoleSession.id_hash, ConsoleSession.expires_at <= _now())
