"""Encryption at rest for secrets and sensitive fields (Fernet, with key rotation).

``settings.FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys, newest first: the first
encrypts, every one decrypts (``MultiFernet``). To rotate, put a new key first, keep the
old ones, re-save the rows (``rotate()`` re-encrypts one token), then drop the old keys.

Production refuses to start without keys (settings/production.py). In development and
tests an empty setting falls back to one key derived from ``SECRET_KEY``, so `make run`
and the suite work out of the box; such data is only as safe as that secret key.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["InvalidToken", "decrypt", "encrypt", "is_current", "rotate"]


def _keys() -> tuple[str, ...]:
    keys = tuple(key for key in (settings.FIELD_ENCRYPTION_KEYS or []) if key)
    if keys:
        return keys
    # Dev/test only (production requires FIELD_ENCRYPTION_KEYS): a stable key from SECRET_KEY.
    digest = hashlib.sha256(b"budstack-field-encryption:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(digest).decode(),)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (Fernet.generate_key())"
        ) from exc


def encrypt(plaintext: str) -> str:
    """A Fernet token (URL-safe text) for ``plaintext``, under the first key."""
    return _fernet(_keys()).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plaintext of a token made with any configured key; ``InvalidToken`` otherwise."""
    return _fernet(_keys()).decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """The same plaintext re-encrypted under the first (newest) key."""
    return _fernet(_keys()).rotate(token.encode("ascii")).decode("ascii")


def is_current(token: str) -> bool:
    """True when ``token`` is already encrypted under the first (newest) key."""
    try:
        Fernet(_keys()[0]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True
