"""Which key pair and base URL a tenant talks to Dr. Green with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from sites.context import tenant_scope

from .breaker import CircuitBreaker
from .client import DrGreenClient, RetryPolicy
from .errors import AuthError, DrGreenError, NotConfigured, Unavailable
from .signing import KeyPair, generate_key_pair, load_api_key, load_secret_key, sign, verify

if TYPE_CHECKING:
    from integrations.models import DrGreenCredentials
    from sites.models import Tenant


def client_for_tenant(tenant: Tenant, **options: Any) -> DrGreenClient:
    """A client with the tenant's own credentials, or the platform's ``DRGREEN_*`` settings.

    Raises :class:`NotConfigured` when the tenant switched the integration off or no key
    pair is configured anywhere. ``options`` override the settings-based defaults
    (timeouts, retries, breaker).
    """
    from integrations.models import DrGreenCredentials

    with tenant_scope(tenant):
        credentials = DrGreenCredentials.objects.filter(tenant=tenant).first()
    if credentials is not None:
        if not credentials.enabled:
            raise NotConfigured(f"Dr. Green is switched off for {tenant.slug}")
        base_url = credentials.base_url or settings.DRGREEN_API_URL
        api_key, secret_key = credentials.api_key, credentials.secret_key
    else:
        base_url = settings.DRGREEN_API_URL
        api_key, secret_key = settings.DRGREEN_API_KEY, settings.DRGREEN_SECRET_KEY
    if not (base_url and api_key and secret_key):
        raise NotConfigured(f"no Dr. Green credentials for {tenant.slug} and no DRGREEN_* defaults")
    return build_client(base_url, api_key, secret_key, **options)


def build_client(base_url: str, api_key: str, secret_key: str, **options: Any) -> DrGreenClient:
    """A client configured from settings (``DRGREEN_TIMEOUT``, ``DRGREEN_RETRIES``, ...)."""
    options.setdefault("timeout", settings.DRGREEN_TIMEOUT)
    options.setdefault("connect_timeout", settings.DRGREEN_CONNECT_TIMEOUT)
    options.setdefault("deadline", settings.DRGREEN_DEADLINE)
    options.setdefault("retry", RetryPolicy(attempts=settings.DRGREEN_RETRIES + 1))
    options.setdefault(
        "breaker",
        CircuitBreaker.for_endpoint(
            base_url,
            api_key,
            threshold=settings.DRGREEN_BREAKER_THRESHOLD,
            cooldown=settings.DRGREEN_BREAKER_COOLDOWN,
        ),
    )
    return DrGreenClient(base_url, api_key, secret_key, **options)


def store_credentials(
    tenant: Tenant,
    api_key: str,
    secret_key: str,
    *,
    base_url: str = "",
    enabled: bool = True,
) -> DrGreenCredentials:
    """Set or replace a tenant's key pair (both keys are checked to be secp256k1 first)."""
    from integrations.models import DrGreenCredentials

    load_api_key(api_key)
    load_secret_key(secret_key)
    with tenant_scope(tenant):
        credentials = DrGreenCredentials.objects.filter(tenant=tenant).first() or DrGreenCredentials(
            tenant=tenant
        )
        credentials.api_key = api_key.strip()
        credentials.secret_key = secret_key.strip()
        credentials.base_url = base_url
        credentials.enabled = enabled
        credentials.save()
    return credentials


def generate_credentials(tenant: Tenant, **fields: Any) -> tuple[DrGreenCredentials, KeyPair]:
    """Store a fresh key pair for ``tenant`` (demo tenants; the fake server accepts any key)."""
    pair = generate_key_pair()
    return store_credentials(tenant, pair.api_key, pair.secret_key, **fields), pair


def keys_match(api_key: str, secret_key: str) -> bool:
    """True when ``secret_key`` signs what ``api_key`` verifies (the two halves of one pair)."""
    probe = "budstack key pair check"
    return verify(probe, sign(probe, secret_key), api_key)


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str
    base_url: str


def check_connection(tenant: Tenant) -> ConnectionCheck:
    """One signed, read-only call with the tenant's credentials: are they accepted?

    Tried once with a short deadline (an admin is waiting for the answer); the outcome
    is described in words a dispensary owner can act on.
    """
    try:
        client = client_for_tenant(
            tenant, retry=RetryPolicy(attempts=1), deadline=min(settings.DRGREEN_DEADLINE, 8)
        )
    except NotConfigured as exc:
        return ConnectionCheck(False, f"Not configured: {exc.message}.", settings.DRGREEN_API_URL)
    base_url = client.base_url
    try:
        with client:
            page = client.list_strains(tenant.country_code, take=1)
    except AuthError:
        message = "Dr. Green refused the key pair (wrong API key or secret key)."
    except Unavailable as exc:
        message = f"Dr. Green could not be reached: {exc.message}."
    except DrGreenError as exc:
        message = f"Dr. Green answered with an error: {exc.message}."
    else:
        count = page.meta.item_count
        return ConnectionCheck(
            True,
            f"Connected: {count} strain{'s' if count != 1 else ''} available in {tenant.country_code}.",
            base_url,
        )
    return ConnectionCheck(False, message, base_url)
