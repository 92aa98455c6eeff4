"""Optional error reporting: on only when ``SENTRY_DSN`` is set."""

from __future__ import annotations


def init_sentry(dsn: str, *, environment: str, release: str, traces_sample_rate: float) -> bool:
    """Start the Sentry SDK with Django and Celery integrations; False when there is no DSN."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Patients' medical data must never leave: no request bodies, cookies or user details.
        send_default_pii=False,
        max_request_body_size="never",
    )
    return True
