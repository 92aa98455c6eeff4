"""Local development: `make run`. Embedded defaults, never for production."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-secret-key-change-me")
# Static files come straight from the apps (WhiteNoise finders); no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
BUDSTACK_PUBLIC_SCHEME = env("BUDSTACK_PUBLIC_SCHEME", default="http")
BUDSTACK_PUBLIC_PORT = env.int("BUDSTACK_PUBLIC_PORT", default=env.int("PORT", default=8000))
WAGTAILADMIN_BASE_URL = env(
    "WAGTAILADMIN_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
)
# Editors see their changes at once in `make run`.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0)
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=0)
# Webhook receivers on this machine (a local tunnel, a test listener) are fine in dev.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=True)
# `make run` points the fake Dr. Green's relay at the inbound webhook with this secret.
DRGREEN_WEBHOOK_SECRET = env("DRGREEN_WEBHOOK_SECRET", default="dev-drgreen-webhook-secret")
