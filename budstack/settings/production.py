"""Production: every secret from the environment, fail fast when one is missing."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Secrets at rest (Dr. Green secret keys, medical answers) need real keys, not SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must list at least one Fernet key "
        '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
    )
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # survive a database restart (see base)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health probes and Prometheus come from inside the cluster over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=f"https://{BUDSTACK_DOMAIN}")  # noqa: F405

# ---------------------------------------------------------------------------
# Behind pgbouncer in transaction pooling mode
# ---------------------------------------------------------------------------
# Consecutive transactions of one Django connection may run on different server
# connections, so nothing may outlive a transaction: the tenant scope is already written
# with set_config(..., true) (transaction-local); server-side cursors (WITH HOLD) and
# prepared statements are per server connection, so both are off.
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# Migrations (and backups) connect to PostgreSQL directly, as the tables' owner, never
# through the pooler: their RLS bypass is session-wide (sites.db_roles), which
# transaction pooling could hand to another client's transaction.

# ---------------------------------------------------------------------------
# Observability
# ---------------------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "plain"  # noqa: F405
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from budstack.ops.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
