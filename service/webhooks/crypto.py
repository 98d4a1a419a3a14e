"""Signing secrets at rest: encrypted with Fernet keys from the configuration (HIREMIX_ENCRYPTION_KEYS).

The first key encrypts; every key decrypts, so a new key is rolled in by putting it first and the old
one after it, then re-encrypting (`flask --app service webhooks reencrypt`) and dropping the old key.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SECRET_PREFIX = "whsec_"  # the Standard Webhooks form: whsec_ + base64 of the key bytes


class SecretBox:
    def __init__(self, keys: tuple[str, ...]):
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("ascii")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise RuntimeError("a webhook secret cannot be decrypted with HIREMIX_ENCRYPTION_KEYS: was the key "
                               "that encrypted it removed?") from None

    def reseal(self, sealed: str) -> str:
        """The same secret under the first key."""
        return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")


def new_secret() -> str:
    """A new signing secret: 24 random bytes (192 bits), as Standard Webhooks libraries read it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")
