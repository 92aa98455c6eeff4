"""Keeping the contact form usable for people and useless for spammers, without third parties.

Three checks: a honeypot field people never see, a signed timestamp that rejects forms
sent back faster than a person types (or replayed a day later), and a per-tenant,
per-address rate limit.
"""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from sites.cache import tenant_cache_key

HONEYPOT_FIELD = "website"
TIMESTAMP_FIELD = "form_started"
MIN_SECONDS = 3
MAX_AGE_SECONDS = 24 * 60 * 60
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 10 * 60
_signer = signing.TimestampSigner(salt="budstack.contact")


def add_spam_fields(form: forms.Form) -> None:
    form.fields[HONEYPOT_FIELD] = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form.fields[TIMESTAMP_FIELD] = forms.CharField(
        required=False, widget=forms.HiddenInput, initial=_signer.sign(str(int(time.time())))
    )


def spam_error(form: forms.Form) -> str | None:
    """Why this submission looks automated, or None."""
    if form.data.get(HONEYPOT_FIELD):
        return "Your message could not be sent."
    try:
        started = int(_signer.unsign(form.data.get(TIMESTAMP_FIELD, ""), max_age=MAX_AGE_SECONDS))
    except signing.SignatureExpired:
        return "This form has expired. Please send your message again."
    except (signing.BadSignature, ValueError):
        return "Your message could not be sent. Please reload the page and try again."
    if time.time() - started < MIN_SECONDS:
        return "That was quick! Please take a moment and send your message again."
    return None


def client_address(request: HttpRequest) -> str:
    # Behind the proxy, REMOTE_ADDR is set from X-Forwarded-For by the server config.
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limited(request: HttpRequest) -> bool:
    """Counts this attempt; True when the address has sent too many lately."""
    key = tenant_cache_key("contact-rate", client_address(request))
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > RATE_LIMIT
