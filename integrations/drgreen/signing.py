"""Request signing for the Dr. Green DApp API (see DRGREEN_API.md, "Transport").

The API key is base64 of a PEM SPKI public key and the secret key base64 of a PEM
PKCS#8 private key, both on secp256k1. A request is signed with ECDSA over SHA-256 of a
*payload string* (DER signature, base64):

- a body (POST, PATCH, DELETE): the compact JSON of the body, exactly the bytes sent;
- no body but a query string: the URL-encoded query, in the order sent;
- neither: the compact JSON of the path parameters, ``{}`` when there are none.

This module is shared by the client and the fake server, so both sides build the
payload with the same code; the signature tests check it against an independent vector.

It also signs the webhook events the fake server relays to BudStack
(``X-DrGreen-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``), which,
unlike the supplier's request signatures, carry a timestamp so they cannot be replayed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

CURVE = ec.SECP256K1


class InvalidKey(ValueError):
    """An API or secret key that is not base64 of a secp256k1 PEM key."""


@dataclass(frozen=True)
class KeyPair:
    api_key: str
    secret_key: str

    def __repr__(self) -> str:  # never print the secret by accident
        return f"KeyPair(api_key={self.api_key[:16]}…, secret_key=<hidden>)"


def generate_key_pair() -> KeyPair:
    """A fresh secp256k1 key pair in the supplier's format (tests, fake server, onboarding)."""
    private = ec.generate_private_key(CURVE())
    secret_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(
        api_key=base64.b64encode(public_pem).decode(), secret_key=base64.b64encode(secret_pem).decode()
    )


def _pem(value: str) -> bytes:
    try:
        pem = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError) as exc:
        raise InvalidKey("not base64") from exc
    if not pem.startswith(b"-----BEGIN "):
        raise InvalidKey("not a base64-encoded PEM key")
    return pem


def load_secret_key(secret_key: str) -> ec.EllipticCurvePrivateKey:
    """The private key inside a secret key (base64 of PEM PKCS#8), checked to be secp256k1."""
    try:
        key = serialization.load_pem_private_key(_pem(secret_key), password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidKey(f"secret key is not a PEM private key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, CURVE):
        raise InvalidKey("secret key is not a secp256k1 EC key")
    return key


def load_api_key(api_key: str) -> ec.EllipticCurvePublicKey:
    """The public key inside an API key (base64 of PEM SPKI), checked to be secp256k1."""
    try:
        key = serialization.load_pem_public_key(_pem(api_key))
    except (ValueError, TypeError) as exc:
        raise InvalidKey(f"API key is not a PEM public key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, CURVE):
        raise InvalidKey("API key is not a secp256k1 EC key")
    return key


def sign(payload: str, secret_key: str | ec.EllipticCurvePrivateKey) -> str:
    """base64(DER(ECDSA-SHA256(payload))) with the secret key."""
    key = load_secret_key(secret_key) if isinstance(secret_key, str) else secret_key
    return base64.b64encode(key.sign(payload.encode("utf-8"), ec.ECDSA(hashes.SHA256()))).decode()


def verify(payload: str, signature: str, api_key: str | ec.EllipticCurvePublicKey) -> bool:
    """True when ``signature`` is the API key's signature of ``payload``; never raises."""
    try:
        key = load_api_key(api_key) if isinstance(api_key, str) else api_key
        der = base64.b64decode(signature, validate=True)
        key.verify(der, payload.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except (InvalidKey, InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


# ---------------------------------------------------------------------------
# The payload string
# ---------------------------------------------------------------------------


def body_bytes(body: Any) -> bytes:
    """The exact bytes to send for a JSON body; their UTF-8 text is what gets signed."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode_query(params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """``a=1&b=2``, in the given order; ``None`` values are left out."""
    pairs = params.items() if isinstance(params, Mapping) else params
    return urlencode([(key, _query_value(value)) for key, value in pairs if value is not None])


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def path_params_payload(path_params: Mapping[str, str] | None = None) -> str:
    """``{"clientId":"…"}``, or ``{}``: the payload of a GET (or DELETE) with neither body nor query."""
    return json.dumps(dict(path_params or {}), separators=(",", ":"), ensure_ascii=False)


def payload_string(
    *, body: bytes | None = None, query: str = "", path_params: Mapping[str, str] | None = None
) -> str:
    """The string to sign for a request, from what is actually sent.

    ``body`` is the raw body (from :func:`body_bytes`), ``query`` the raw query string
    without ``?``. A body wins over a query, a query over the path parameters.
    """
    if body:
        return body.decode("utf-8")
    if query:
        return query
    return path_params_payload(path_params)


# ---------------------------------------------------------------------------
# Relayed webhook events (fake server -> BudStack)
# ---------------------------------------------------------------------------

WEBHOOK_SIGNATURE_HEADER = "X-DrGreen-Signature"


def webhook_signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_webhook_signature(
    secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """Check a :func:`webhook_signature` header, refusing ones older than ``tolerance`` seconds."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        t = int(fields["t"])
    except (ValueError, KeyError, AttributeError):
        return False
    # Compared as integers: a forged 400-digit timestamp must not overflow a float.
    if abs(int(time.time() if now is None else now) - t) > tolerance:
        return False
    expected = webhook_signature(secret, body, t).split("v1=", 1)[1]
    # Bytes: compare_digest refuses str with non-ASCII characters (a forged header).
    return hmac.compare_digest(expected.encode(), fields.get("v1", "").encode())
