"""Request signing: secp256k1 ECDSA over SHA-256, DER, base64, over the contract's payload string.

The known vector below was made once with the OpenSSL command line, independently of
this code:

    openssl ecparam -name secp256k1 -genkey -noout -out k.pem
    openssl pkcs8 -topk8 -nocrypt -in k.pem -out sk.pem
    openssl ec -in sk.pem -pubout -out pk.pem
    printf '%s' "$PAYLOAD" | openssl dgst -sha256 -sign sk.pem | base64 -w0
    base64 -w0 sk.pem; base64 -w0 pk.pem
    printf '%s' '1700000000.{"id":"evt_1","type":"client.approved"}' | openssl dgst -sha256 -hmac whsec_test

(a throwaway test key, never used anywhere else).
"""

from __future__ import annotations

import base64
from collections import OrderedDict

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from integrations.drgreen import signing

VECTOR_SECRET_KEY = (
    "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0VBZ0VBTUJBR0J5cUdTTTQ5QWdFR0JTdUJCQUFLQkcwd2F3SUJB"
    "UVFnQWhncWhxS1JvUTAyeFhVT3V2YzcKR3h5SDY3L2FxNk5ETHFKTFVydEkyRStoUkFOQ0FBU3VBYVp0bldjSjlPdDFZ"
    "WWJKcTNUUDhnMk9KaFBkdSs4agptOVh3aVRyWnVYTWtpREcycWxwbnFlLzJQVy9wN3RiS010K0RXbXFXc1ZCWGNMcXkz"
    "TTlGCi0tLS0tRU5EIFBSSVZBVEUgS0VZLS0tLS0K"
)
VECTOR_API_KEY = (
    "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUZZd0VBWUhLb1pJemowQ0FRWUZLNEVFQUFvRFFnQUVyZ0dtYloxbkNm"
    "VHJkV0dHeWF0MHovSU5qaVlUM2J2dgpJNXZWOElrNjJibHpKSWd4dHFwYVo2bnY5ajF2NmU3V3lqTGZnMXBxbHJGUVYz"
    "QzZzdHpQUlE9PQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K"
)
VECTOR_PAYLOAD = '{"clientId":"3f1c0d9e-5b7a-4c2e-9f10-2a6b8c4d7e01","note":"café"}'
VECTOR_SIGNATURE = (
    "MEUCIQCdF6c2rRXyz+ySJC8amGhaptTTlCxNixpmG6zdOSELRgIgbLMYdduJ66GTs9L9iKXP2JTqMFRztU1bYo1KplQTY4s="
)


def test_openssl_signature_verifies_with_our_code():
    assert signing.verify(VECTOR_PAYLOAD, VECTOR_SIGNATURE, VECTOR_API_KEY)


@pytest.mark.parametrize(
    "payload",
    [
        VECTOR_PAYLOAD.replace("café", "cafe"),
        VECTOR_PAYLOAD.replace(":", ": "),
        VECTOR_PAYLOAD + " ",
        "{}",
    ],
    ids=["accent-dropped", "spaces-added", "trailing-space", "other-payload"],
)
def test_signature_does_not_verify_another_payload(payload):
    assert not signing.verify(payload, VECTOR_SIGNATURE, VECTOR_API_KEY)


def test_signature_of_another_key_does_not_verify():
    other = signing.generate_key_pair()
    assert not signing.verify(VECTOR_PAYLOAD, VECTOR_SIGNATURE, other.api_key)
    assert not signing.verify(VECTOR_PAYLOAD, signing.sign(VECTOR_PAYLOAD, other.secret_key), VECTOR_API_KEY)


def test_our_signature_verifies_with_plain_cryptography():
    """Checked without our helpers: PEM out of base64, secp256k1, DER (r, s), SHA-256."""
    signature = signing.sign(VECTOR_PAYLOAD, VECTOR_SECRET_KEY)
    public = serialization.load_pem_public_key(base64.b64decode(VECTOR_API_KEY))
    assert isinstance(public.curve, ec.SECP256K1)
    der = base64.b64decode(signature)
    r, s = decode_dss_signature(der)  # raises unless DER
    assert r > 0 and s > 0
    public.verify(der, VECTOR_PAYLOAD.encode("utf-8"), ec.ECDSA(hashes.SHA256()))  # raises if wrong


def test_generated_keys_are_base64_pem_spki_and_pkcs8_on_secp256k1():
    pair = signing.generate_key_pair()
    public_pem = base64.b64decode(pair.api_key)
    secret_pem = base64.b64decode(pair.secret_key)
    assert public_pem.startswith(b"-----BEGIN PUBLIC KEY-----")  # SPKI
    assert secret_pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted
    private = serialization.load_pem_private_key(secret_pem, password=None)
    assert isinstance(private.curve, ec.SECP256K1)
    assert signing.verify("hello", signing.sign("hello", pair.secret_key), pair.api_key)
    assert "secret_key=<hidden>" in repr(pair) and pair.secret_key not in repr(pair)


def _pem_b64(key, public: bool) -> str:
    if public:
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    else:
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    return base64.b64encode(pem).decode()


@pytest.mark.parametrize(
    "make_key",
    [
        lambda: ec.generate_private_key(ec.SECP256R1()),
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    ],
    ids=["p256", "rsa"],
)
def test_keys_on_other_curves_or_algorithms_are_refused(make_key):
    key = make_key()
    with pytest.raises(signing.InvalidKey):
        signing.load_secret_key(_pem_b64(key, public=False))
    with pytest.raises(signing.InvalidKey):
        signing.load_api_key(_pem_b64(key, public=True))


@pytest.mark.parametrize("value", ["", "not base64!", base64.b64encode(b"plain text").decode()])
def test_garbage_keys_are_refused(value):
    with pytest.raises(signing.InvalidKey):
        signing.load_api_key(value)
    assert not signing.verify("x", VECTOR_SIGNATURE, value)


# ---------------------------------------------------------------------------
# The payload string
# ---------------------------------------------------------------------------


def test_body_is_compact_json_in_key_order_with_unicode_unescaped():
    body = OrderedDict(
        [("items", [{"strainId": "s1", "quantity": 2.5}]), ("clientCartId", "c1"), ("note", "ñ €")]
    )
    assert (
        signing.body_bytes(body)
        == '{"items":[{"strainId":"s1","quantity":2.5}],"clientCartId":"c1","note":"ñ €"}'.encode()
    )
    assert (
        signing.payload_string(body=signing.body_bytes(body), query="page=1")
        == signing.body_bytes(body).decode()
    )


def test_query_is_url_encoded_in_the_order_given():
    query = signing.encode_query(
        [("countryCode", "PRT"), ("search", "blue dream"), ("page", 2), ("take", 10), ("orderBy", None)]
    )
    assert query == "countryCode=PRT&search=blue+dream&page=2&take=10"
    assert signing.encode_query([("clientIds", '["a-1"]')]) == "clientIds=%5B%22a-1%22%5D"
    assert signing.payload_string(query=query, path_params={"clientId": "x"}) == query


def test_without_body_or_query_the_path_parameters_are_signed():
    assert signing.payload_string(path_params={"clientId": "3f1c"}) == '{"clientId":"3f1c"}'
    assert signing.payload_string() == "{}"
    assert signing.payload_string(body=b"", query="") == "{}"


# ---------------------------------------------------------------------------
# Relayed webhook events
# ---------------------------------------------------------------------------

WEBHOOK_BODY = b'{"id":"evt_1","type":"client.approved"}'
WEBHOOK_MAC = "e75bb4d67243a7a868d354270f1fc5ab71927ea1ab1aa504e8aa2b4f19540831"  # openssl, above


def test_webhook_signature_matches_openssl_hmac():
    assert (
        signing.webhook_signature("whsec_test", WEBHOOK_BODY, 1700000000) == f"t=1700000000,v1={WEBHOOK_MAC}"
    )


def test_webhook_signature_verification():
    header = f"t=1700000000,v1={WEBHOOK_MAC}"
    assert signing.verify_webhook_signature("whsec_test", header, WEBHOOK_BODY, now=1700000100)
    assert not signing.verify_webhook_signature("whsec_test", header, WEBHOOK_BODY, now=1700000000 + 301)
    assert not signing.verify_webhook_signature("other", header, WEBHOOK_BODY, now=1700000100)
    assert not signing.verify_webhook_signature("whsec_test", header, WEBHOOK_BODY + b" ", now=1700000100)
    assert not signing.verify_webhook_signature("whsec_test", "garbage", WEBHOOK_BODY, now=1700000100)
