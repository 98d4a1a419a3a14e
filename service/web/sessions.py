"""Console sessions: signed-in ones kept in the database, as a Flask session interface.

A signed-in browser holds one random id in an HttpOnly, SameSite cookie scoped to the console's path; the
database holds its SHA-256 with the session's data (the signed-in key's id, Flask-WTF's CSRF token) and its
end, so any instance behind the load balancer can serve any request and signing out ends the session
everywhere. The API key itself is never stored, in the cookie or the row.

Before signing in there is nothing worth a row: the sign-in form's CSRF token and a message travel in the
same cookie, signed with HIREMIX_SECRET_KEY (as Flask's own sessions are), and expire within the hour. So a
visitor who never signs in, or a flood of them, writes nothing to the database, and requests outside the
console never open a session at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, select
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

from service import keys
from service.orm import ApiKey
from service.web.tables import ConsoleSession

COOKIE = "hiremix_console"
PATH = "/console"
ANONYMOUS_S = 3600.0  # a session nobody signed in with (the sign-in form's CSRF token) ends within the hour
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32): a signed-in session's id
_SIGNED_MAX = 4000  # characters of an anonymous session's signed cookie read at most


class ConsoleSessionData(CallbackDict, SessionMixin):
    """The session's data, plus what the row said: the signed-in key's principal, and whether it had ended."""

    def __init__(self, initial=None, token: str | None = None, principal: keys.Principal | None = None,
                 ended: bool = False, failure: Exception | None = None):
        def on_update(data):
            data.modified = True

        super().__init__(initial, on_update)
        self.token, self.principal, self.ended = token, principal, ended
        self.failure = failure  # reading it failed: the console's pages answer with that failure's page
        self.signing_in = False  # set by the sign-in itself: only then may a row be made for key_id
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
        cookie = request.cookies.get(COOKIE, "")
        if not _TOKEN.match(cookie):
            return ConsoleSessionData(self._anonymous(app, cookie))
        query = (select(ConsoleSession.data, ConsoleSession.expires_at, ConsoleSession.key_id, ApiKey.tenant_id,
                        ApiKey.scopes, ApiKey.revoked_at)
                 .join(ApiKey, ApiKey.id == ConsoleSession.key_id)
                 .where(ConsoleSession.id_hash == _hash(cookie)))
        try:
            with self.sessions() as session:
                row = session.execute(query).first()
        except Exception as failure:  # noqa: BLE001 (raised again in the console's before_request, as a page)
            return ConsoleSessionData(failure=failure)
        if row is None or row.expires_at <= _now() or row.revoked_at is not None:
            return ConsoleSessionData(ended=True)  # it was a sign-in: say it ended
        principal = keys.Principal(key_id=row.key_id, tenant_id=row.tenant_id, scopes=frozenset(row.scopes.split()))
        return ConsoleSessionData(row.data, token=cookie, principal=principal)

    @staticmethod
    def get_signing_serializer(app: Flask) -> URLSafeTimedSerializer:
        """Signs an anonymous session's cookie with the app's secret key, as Flask's own cookie sessions do."""
        return URLSafeTimedSerializer(app.secret_key, salt="hiremix-console-anonymous",
                                      signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256})

    def _anonymous(self, app: Flask, cookie: str) -> dict:
        """The data of a signed anonymous cookie; {} for none, a forged or an expired one."""
        if not cookie or len(cookie) > _SIGNED_MAX:
            return {}
        try:
            data = self.get_signing_serializer(app).loads(cookie, max_age=int(ANONYMOUS_S))
        except BadSignature:  # SignatureExpired included
            return {}
        return data if isinstance(data, dict) and "key_id" not in data else {}

    def save_session(self, app: Flask, session, response: Response) -> None:
        if self.is_null_session(session) or session.failure is not None:
            return
        had_row = session.token is not None
        if had_row and (session.renew or not session.get("key_id")):
            self._forget(session.token)  # signed out, or signed in afresh: the old id is worth nothing now
            session.token = None
        response.vary.add("Cookie")
        key_id = session.get("key_id")
        if key_id is None:  # not signed in: nothing in the database, the little there is in a signed cookie
            if session:
                if session.modified or had_row or session.ended:
                    response.set_cookie(COOKIE, self.get_signing_serializer(app).dumps(dict(session)),
                                        max_age=int(ANONYMOUS_S), path=PATH, secure=self.secure, httponly=True,
                                        samesite="Lax")
            elif had_row or session.ended or session.modified:
                response.delete_cookie(COOKIE, path=PATH, secure=self.secure, httponly=True, samesite="Lax")
            return
        if session.token is not None:
            if session.modified:
                with self.sessions.begin() as db:
                    row = db.get(ConsoleSession, _hash(session.token))
                    if row is not None:
                        row.data = dict(session)
            return
        if not session.signing_in:  # a key id that did not come from signing in here: never a row
            return
        session.token = secrets.token_urlsafe(32)
        now = _now()
        with self.sessions.begin() as db:
            db.add(ConsoleSession(id_hash=_hash(session.token), key_id=key_id, data=dict(session), created_at=now,
                                  expires_at=now + dt.timedelta(seconds=self.lifetime_s)))
        response.set_cookie(COOKIE, session.token, max_age=int(self.lifetime_s), path=PATH, secure=self.secure,
                            httponly=True, samesite="Lax")

    def _forget(self, token: str) -> None:
        with self.sessions.begin() as db:
            db.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == _hash(token)))


def purge(sessions) -> int:
    """Delete ended sessions (housekeeping runs this with the other purges)."""
    from service.housekeeping import in_batches

    return in_batches(sessions, ConsoleSession, ConsoleSession.id_hash, ConsoleSession.expires_at <= _now())
