"""Validation of tenant identifiers shared by forms, commands and the API."""

import re

from django.core.exceptions import ValidationError

import pycountry

# Names that are, or may become, platform routes or infrastructure hosts.
RESERVED_SLUGS = frozenset(
    {
        "account", "accounts", "admin", "api", "app", "assets", "auth", "billing", "blog",
        "budstack", "cdn", "dashboard", "docs", "documents", "healthz", "help", "home",
        "login", "mail", "media", "metrics", "onboarding", "platform", "readyz", "root",
        "smtp", "static", "status", "store", "support", "test", "www",
    }
)  # fmt: skip

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def validate_tenant_slug(value: str) -> None:
    """A slug must be a valid DNS label (it becomes a subdomain) and not reserved."""
    if not SLUG_RE.fullmatch(value or ""):
        raise ValidationError(
            "Use 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit.",
            code="invalid_slug",
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is reserved; choose another.", code="reserved_slug")


def validate_country_code(value: str) -> None:
    """ISO 3166-1 alpha-2, upper case (e.g. GB, PT)."""
    if not (
        isinstance(value, str)
        and len(value) == 2
        and value.isupper()
        and pycountry.countries.get(alpha_2=value)
    ):
        raise ValidationError(
            f"“{value}” is not an ISO 3166-1 alpha-2 country code (e.g. GB, PT).",
            code="invalid_country",
        )


def country_alpha3(alpha2: str) -> str:
    """GB -> GBR: Dr. Green speaks alpha-3."""
    return pycountry.countries.get(alpha_2=alpha2).alpha_3
