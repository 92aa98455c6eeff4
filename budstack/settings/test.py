"""Test run: real PostgreSQL and Redis when `make test` provides them."""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="test-only-secret-key")
# Static files come straight from the apps (WhiteNoise finders); no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = ["*"]
BUDSTACK_DOMAIN = "budstack.test"
BUDSTACK_PUBLIC_PORT = 80
BUDSTACK_PUBLIC_SCHEME = "http"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test that needs a real worker starts one with CELERY_TASK_ALWAYS_EAGER=false and an
# email backend it can read (tests/integrations/test_webhooks_worker.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# Workers started by tests look for tasks of dead workers at every poll, not every ~100 s.
CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=True)
DRGREEN_WEBHOOK_SECRET = env("DRGREEN_WEBHOOK_SECRET", default="test-drgreen-webhook-secret")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405
# A worker started by a test may be given a queue of its own (tests/integrations/test_webhooks_worker.py).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="default")
# Off, so tests see fresh pages; tests/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
FRAGMENT_CACHE_SECONDS = 0

# Each xdist worker (`make test` runs two) gets its own Redis databases, files and mail
# directory, so one worker's flushes, Celery queues and files never touch the other's.
# Subprocesses started by tests (Celery workers) inherit PYTEST_XDIST_WORKER and land on
# the same databases. Worker N: cache database 2 + N, broker database 10 + N (N > 0).
_worker = int(env("PYTEST_XDIST_WORKER", default="gw0").removeprefix("gw") or 0)
if REDIS_URL:  # noqa: F405
    _base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL  # noqa: F405
    CACHES["default"]["LOCATION"] = f"{_base}/{2 + _worker}"  # noqa: F405
if CELERY_BROKER_URL and _worker:  # noqa: F405
    CELERY_BROKER_URL = f"{CELERY_BROKER_URL.rsplit('/', 1)[0]}/{10 + _worker}"  # noqa: F405
    os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL  # what tests hand to the workers they start
# Only the defaults get the worker's suffix: a path the environment names is used as
# given (a Celery worker started by a test writes its mail where that test reads it).
_suffix = f"-{_worker}" if _worker else ""
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / f"test-mail{_suffix}"))  # noqa: F405
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / f"test-media{_suffix}"))  # noqa: F405
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / f"test-private{_suffix}"))  # noqa: F405
if _worker:
    THEME_CACHE_DIR = f"{THEME_CACHE_DIR}-{_worker}"  # noqa: F405

# `make test` provides a non-owner application role; the suite connects as it after
# migrating as the owner (tests/conftest.py), so row-level security is really in force.
APP_DATABASE_URL = env("APP_DATABASE_URL", default="")
if APP_DATABASE_URL:
    DATABASE_APP_ROLE = env.db_url_config(APP_DATABASE_URL)["USER"]

# Most admin tests sign super admins in with force_login; the two-factor tests
# (tests/test_account_security.py) switch the requirement back on.
BUDSTACK_REQUIRE_2FA_FOR_SUPERADMINS = False

# Generous API limits so that suites of requests from one address are not throttled;
# the throttling tests set their own.
BUDSTACK_API_THROTTLE_RATES = dict.fromkeys(("tenant", "anon", "patient", "staff", "auth"), "100000/min")
