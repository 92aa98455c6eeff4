"""Settings shared by every environment; values come from the environment only."""

import json
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE

from budstack.storage import storages_setting

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

# Storefronts are served at <slug>.<BUDSTACK_DOMAIN>; the bare domain is the platform.
BUDSTACK_DOMAIN = env("BUDSTACK_DOMAIN", default="localhost").lower().strip(".")
# Port that tenant Site records advertise in absolute URLs (emails, previews, sitemaps).
BUDSTACK_PUBLIC_PORT = env.int("BUDSTACK_PUBLIC_PORT", default=443)
BUDSTACK_PUBLIC_SCHEME = env("BUDSTACK_PUBLIC_SCHEME", default="https")

INSTALLED_APPS = [
    "sites.apps.SitesConfig",
    "media.apps.MediaConfig",
    "themes.apps.ThemesConfig",
    "pages.apps.PagesConfig",
    "commerce.apps.CommerceConfig",
    "kyc.apps.KycConfig",
    "integrations.apps.IntegrationsConfig",
    "search.apps.SearchConfig",
    "billing.apps.BillingConfig",
    "onboarding.apps.OnboardingConfig",
    "analytics.apps.AnalyticsConfig",
    "support.apps.SupportConfig",
    "budstack.ops.apps.OpsConfig",
    "csp",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "sites.apps.BudStackUsersAppConfig",  # wagtail.users with tenant-scoped accounts
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: names, times, counts and logs every request, whatever happens below it.
    "budstack.ops.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "budstack.ops.middleware.PermissionsPolicyMiddleware",
    "budstack.ops.middleware.BudStackCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every GET answer and 304 for a matching If-None-Match (pages and feeds).
    "django.middleware.http.ConditionalGetMiddleware",
    # Counts storefront page views, page-cache hits included (no SQL: analytics/tracking.py).
    "analytics.middleware.PageViewMiddleware",
    # Cached pages for visitors without a session, before any tenant or database work.
    "pages.page_cache.EarlyPageCacheMiddleware",
    "sites.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sites.two_factor.TwoFactorMiddleware",
    "sites.middleware.TenantScopeMiddleware",
    "themes.middleware.ThemeMiddleware",
    "pages.middleware.AgeGateMiddleware",
    # After the age gate: a cached page is only served to who may see it (pages/page_cache.py).
    "pages.page_cache.PageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff of a suspended tenant: the admin is read-only (needs messages for its banner).
    "sites.middleware.SuspendedTenantReadOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: it turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# `make bench` only: a minimal reference view and a per-request SQL query count header.
BUDSTACK_BENCH = env.bool("BUDSTACK_BENCH", default=False)
if BUDSTACK_BENCH:
    MIDDLEWARE.insert(0, "budstack.bench.QueryCountMiddleware")

# Browser features no page uses; payment stays off too (checkout needs no Payment Request API).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

ROOT_URLCONF = "budstack.urls"
WSGI_APPLICATION = "budstack.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "budstack" / "templates"],
        "OPTIONS": {
            # The storefront renders with the tenant's theme, then the default theme, then
            # the apps' templates; the cache is keyed by theme (themes/loaders.py).
            "loaders": [
                (
                    "themes.loaders.ThemeCachedLoader",
                    [
                        "themes.loaders.ThemeLoader",
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "sites.context_processors.tenant",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Data stores
# ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'budstack.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before each request reuses it, so a database restart
# costs one reconnect instead of errors until the workers are restarted.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "budstack.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "budstack",
            # A dead Redis must cost milliseconds, not a hung request: see budstack/cache.py.
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "budstack",
        }
    }
TENANT_CACHE_TIMEOUT = env.int("TENANT_CACHE_TIMEOUT", default=300)
# Seconds an anonymous storefront page stays in the full-page cache; 0 turns it off.
# Publishing, menu, branding and theme changes invalidate it earlier.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Seconds a rendered page part ({% fragment %}: lists, bodies, header) is kept; it is keyed
# by the tenant's content version, so publishing shows at once. 0 turns it off.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=300)

# ---------------------------------------------------------------------------
# Background work
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL
# Without a broker tasks run inline, so `make run` needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker process dies (OOM kill, SIGKILL) goes back to the queue instead of
# being acknowledged as failed: with late acks it then runs again on another worker.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis redelivers a task that no worker acknowledged within this many seconds (its
# worker died mid-task). Also the longest safe countdown: a task waiting for its ETA
# longer than this is handed out twice, so retry delays stay below it (see
# integrations.tasks.retry_delay; webhook attempts are guarded by their attempt count).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "UTC"

# ---------------------------------------------------------------------------
# Users and authentication
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is even checked.
    "sites.security.HttpLoginLockoutBackend",
    "sites.auth_backends.TenantEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify and are upgraded to Argon2 at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Failed sign-ins (django-axes): per account (tenant + email) and per IP address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "sites.security.axes_username"
AXES_LOCKOUT_CALLABLE = "sites.security.locked_out"
AXES_RESET_ON_SUCCESS = True
# With Redis the counters live in the cache and expire with the cool-off: no table of
# attempted addresses to keep or erase (the audit trail records attempts). Without it
# (`make run`), a per-process memory cache would under-count, so they go to the database.
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
BUDSTACK_REQUIRE_2FA_FOR_SUPERADMINS = env.bool("BUDSTACK_REQUIRE_2FA_FOR_SUPERADMINS", default=True)
OTP_TOTP_ISSUER = "BudStack"
# Emails are unique per tenant, not globally (see sites.models.users); the backend
# above resolves the ambiguity, which is what Django's W004 warns about.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
LOGIN_URL = "wagtailadmin_login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# ---------------------------------------------------------------------------
# Internationalisation
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Static and uploaded files
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
# Built-in themes' static files, under versioned URLs: /static/themes/<slug>/<version>/...
STATICFILES_DIRS = [
    (f"themes/{path.parent.name}/{json.loads(path.read_text())['version']}", path.parent / "static")
    for path in sorted((BASE_DIR / "themes" / "builtin").glob("*/theme.json"))
]
THEME_CACHE_DIR = env("THEME_CACHE_DIR", default=str(VAR_DIR / "theme-cache"))
# Seconds a super admin's theme preview link (themes.preview) keeps working.
THEME_PREVIEW_MAX_AGE = env.int("THEME_PREVIEW_MAX_AGE", default=30 * 60)
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Private files (KYC uploads, exports, private certificates): never public, served only
# through signed URLs that expire (budstack.storage.private_storage()).
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default="") or str(VAR_DIR / "private")
PRIVATE_URL_EXPIRY = env.int("PRIVATE_URL_EXPIRY", default=300)
AWS_STORAGE_BUCKET_NAME = env("AWS_BUCKET_NAME", default="")
STORAGES = storages_setting(
    bucket=AWS_STORAGE_BUCKET_NAME,
    prefix=env("AWS_FOLDER_PREFIX", default=""),
    private_prefix=env("AWS_PRIVATE_FOLDER_PREFIX", default=""),
    region=env("AWS_REGION", default=""),
    endpoint_url=env("AWS_S3_ENDPOINT_URL", default=""),
    access_key=env("AWS_ACCESS_KEY_ID", default=""),
    secret_key=env("AWS_SECRET_ACCESS_KEY", default=""),
    # Off when the media prefix is publicly readable (bucket policy or a CDN domain):
    # then image URLs are plain and cacheable.
    signed_media_urls=env.bool("AWS_QUERYSTRING_AUTH", default=True),
    custom_domain=env("AWS_S3_CUSTOM_DOMAIN", default=""),
    private_expiry=PRIVATE_URL_EXPIRY,
)
# ---------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------
EMAIL_FROM = env("EMAIL_FROM", default="BudStack <no-reply@budstack.test>")
DEFAULT_FROM_EMAIL = EMAIL_FROM
SERVER_EMAIL = EMAIL_FROM
if env("EMAIL_SERVER", default=""):
    from budstack.email_url import parse_email_url

    vars().update(parse_email_url(env("EMAIL_SERVER")))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Delivery (integrations.tasks.deliver_email) retries a failed SMTP conversation this
# many times, waiting base * 2**attempt seconds (with jitter, at most the max) between.
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=8)
EMAIL_RETRY_BASE_DELAY = env.float("EMAIL_RETRY_BASE_DELAY", default=30.0)
EMAIL_RETRY_MAX_DELAY = env.float("EMAIL_RETRY_MAX_DELAY", default=3600.0)

# ---------------------------------------------------------------------------
# Wagtail
# ---------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "BudStack"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "media.TenantImage"
WAGTAILDOCS_DOCUMENT_MODEL = "media.TenantDocument"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "docx", "xlsx", "txt", "odt"]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 64_000_000
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
# No SVG: it can carry scripts. Wagtail also checks that the content matches the extension.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_PASSWORD_RESET_ENABLED = True

# ---------------------------------------------------------------------------
# Onboarding and tenant lifecycle
# ---------------------------------------------------------------------------
# Applications per address per hour on the public /onboarding/ form.
ONBOARDING_RATE_LIMIT = env.int("ONBOARDING_RATE_LIMIT", default=5)
# Days an offboarded tenant's data is kept (and its export downloadable) before deletion.
OFFBOARDING_GRACE_DAYS = env.int("OFFBOARDING_GRACE_DAYS", default=30)
# Where custom domains must point (CNAME target); defaults to the platform's own domain.
CUSTOM_DOMAIN_CNAME_TARGET = env("CUSTOM_DOMAIN_CNAME_TARGET", default="")
# Name servers ("host" or "host:port", comma separated) for the TXT check of custom
# domains; empty uses the system resolver (/etc/resolv.conf). Tests point it at a local one.
CUSTOM_DOMAIN_NAMESERVERS = env.list("CUSTOM_DOMAIN_NAMESERVERS", default=[])

# ---------------------------------------------------------------------------
# Integrations
# ---------------------------------------------------------------------------
DRGREEN_API_URL = env("DRGREEN_API_URL", default="http://127.0.0.1:8765/api/v1")
DRGREEN_API_KEY = env("DRGREEN_API_KEY", default="")
DRGREEN_SECRET_KEY = env("DRGREEN_SECRET_KEY", default="")
# Seconds. A read is tried DRGREEN_RETRIES more times, all within DRGREEN_DEADLINE; after
# DRGREEN_BREAKER_THRESHOLD consecutive failures calls fail fast for the cool-down.
DRGREEN_TIMEOUT = env.float("DRGREEN_TIMEOUT", default=5.0)
DRGREEN_CONNECT_TIMEOUT = env.float("DRGREEN_CONNECT_TIMEOUT", default=3.0)
DRGREEN_DEADLINE = env.float("DRGREEN_DEADLINE", default=10.0)
DRGREEN_RETRIES = env.int("DRGREEN_RETRIES", default=2)
DRGREEN_BREAKER_THRESHOLD = env.int("DRGREEN_BREAKER_THRESHOLD", default=5)
DRGREEN_BREAKER_COOLDOWN = env.float("DRGREEN_BREAKER_COOLDOWN", default=30.0)
# Fernet keys, newest first (budstack.encryption). Required in production.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# ---------------------------------------------------------------------------
# REST framework
# ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "budstack.api.authentication.BearerTokenAuthentication",
        "budstack.api.authentication.TenantSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": [
        "budstack.api.throttling.TenantThrottle",
        "budstack.api.throttling.CallerThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "budstack.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "budstack.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "budstack.api.schema.BudStackAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per window ("N/s|m|h|d"). Per tenant (all its callers together), per signed-in
# user by role, per address for anonymous callers, and per address on sign-in.
BUDSTACK_API_THROTTLE_RATES = {
    "tenant": env("API_THROTTLE_TENANT", default="3000/min"),
    "anon": env("API_THROTTLE_ANON", default="60/min"),
    "patient": env("API_THROTTLE_PATIENT", default="120/min"),
    "staff": env("API_THROTTLE_STAFF", default="600/min"),
    "auth": env("API_THROTTLE_AUTH", default="10/min"),
    # POST /api/v1/onboarding, per address: applications are rare, spam is not.
    "onboarding": env("API_THROTTLE_ONBOARDING", default="5/hour"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BudStack API",
    "DESCRIPTION": (
        "REST API v1 of BudStack. Name the dispensary with its host or the `X-Tenant-Slug` header; "
        "authenticate with the session or `Authorization: Bearer <token>` from `POST /api/v1/auth/token`. "
        "Every error is `{error, code, details, timestamp}`; lists are paginated."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["budstack.api.schema.only_api_v1"],
    # Several models have a "status" choice set: name each one's enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "TenantStatusEnum": "sites.models.Tenant.Status",
        "OrderStatusEnum": "commerce.models.OrderStatus",
        "KycStatusEnum": "kyc.models.KycStatus",
        "WebhookDeliveryStatusEnum": "integrations.webhooks.models.WebhookDelivery.Status",
    },
}

# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------
# LOG_FORMAT=json (production's default): one JSON object per line with request_id and
# tenant (budstack.ops.logging); "plain" for reading in a terminal.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "budstack.ops.logging.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(tenant)s] %(message)s"},
        "json": {"()": "budstack.ops.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # One INFO line per request; the Dr. Green client logs retries and the breaker itself.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # budstack.request logs every request itself, with its duration and tenant.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# ---------------------------------------------------------------------------
# Webhooks (integrations.webhooks)
# ---------------------------------------------------------------------------
# Seconds to wait before each retry of a failed delivery: exponential, about 10 hours in
# all. After the last one the delivery is failed; WEBHOOKS_DISABLE_AFTER failed
# deliveries in a row switch the endpoint off and email the tenant's admins.
WEBHOOKS_RETRY_SCHEDULE = [
    int(s) for s in env.list("WEBHOOKS_RETRY_SCHEDULE", default=["60", "300", "1800", "7200", "28800"])
]
WEBHOOKS_DISABLE_AFTER = env.int("WEBHOOKS_DISABLE_AFTER", default=5)
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10.0)
# SSRF guard: endpoint URLs resolving to loopback, private or link-local addresses are
# refused unless this is on (dev and test settings turn it on; production never should).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# Inbound: HMAC secret shared with the Dr. Green relay, and the timestamp tolerance.
DRGREEN_WEBHOOK_SECRET = env("DRGREEN_WEBHOOK_SECRET", default="")
DRGREEN_WEBHOOK_TOLERANCE = env.int("DRGREEN_WEBHOOK_TOLERANCE", default=300)
# Content Security Policy (django-csp)
# ---------------------------------------------------------------------------
# Storefront pages run no inline script or style without the request's nonce: templates
# write <script nonce="{{ request.csp_nonce }}">. The admin's looser policy is in
# budstack.ops.middleware.BudStackCSPMiddleware.
_CSP_EXTRA_IMG = env.list("CSP_IMG_SRC", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", *_CSP_EXTRA_IMG],
        "font-src": ["'self'", "data:"],
        # Embedded videos (after cookie consent) come from these players only.
        "frame-src": ["'self'", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# ---------------------------------------------------------------------------
# Metrics (Prometheus, /metrics)
# ---------------------------------------------------------------------------
# Scrapers present `Authorization: Bearer <METRICS_TOKEN>`, or connect directly (not via
# the public proxy) from one of these networks.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list(
    "METRICS_ALLOWED_NETWORKS",
    default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
)

# ---------------------------------------------------------------------------
# Row-level security
# ---------------------------------------------------------------------------
# The role the application connects as (not the tables' owner). After `migrate`, the
# owner grants it access to every table; RLS policies then apply to it.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")

# ---------------------------------------------------------------------------
# Periodic work (celery beat)
# ---------------------------------------------------------------------------
CELERY_BEAT_SCHEDULE = {
    # Webhook deliveries whose task was lost (broker restart) are sent again.
    "webhooks-requeue-stale": {"task": "integrations.webhooks.requeue_stale", "schedule": 300.0},
    "kyc-poll-pending": {"task": "kyc.poll_pending", "schedule": 300.0},
    "kyc-reminders": {"task": "kyc.send_reminders", "schedule": 3600.0},
    "sync-drgreen-catalogs": {"task": "commerce.sync_drgreen", "schedule": 3600.0},
    "poll-supplier-orders": {"task": "commerce.poll_supplier_orders", "schedule": 300.0},
    "delete-offboarded-tenants": {"task": "sites.delete_offboarded_tenants", "schedule": 3600.0},
    "analytics-flush-page-views": {"task": "analytics.flush_page_views", "schedule": 60.0},
    # Daily: the first run of a month issues its invoices, later runs find them issued.
    "billing-issue-invoices": {"task": "billing.issue_invoices", "schedule": 86400.0},
    "billing-mark-overdue": {"task": "billing.mark_overdue", "schedule": 86400.0},
    "publish-scheduled-pages": {
        "task": "pages.publish_scheduled",
        "schedule": env.float("PUBLISH_SCHEDULED_INTERVAL", default=60.0),
    },
}

# ---------------------------------------------------------------------------
# Billing
# ---------------------------------------------------------------------------
# How invoices are paid: "manual" (bank transfer, marked paid by a super admin) or
# "stripe" (needs the stripe package and STRIPE_SECRET_KEY; optional).
BILLING_PROVIDER = env("BILLING_PROVIDER", default="manual")
BILLING_DUE_DAYS = env.int("BILLING_DUE_DAYS", default=14)
# Shown on invoices and reminders by the bank-transfer provider.
BILLING_BANK_DETAILS = {
    "Account name": env("BILLING_BANK_ACCOUNT_NAME", default="BudStack Ltd"),
    "IBAN": env("BILLING_BANK_IBAN", default=""),
    "BIC": env("BILLING_BANK_BIC", default=""),
}
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")

# ---------------------------------------------------------------------------
# KYC
# ---------------------------------------------------------------------------
# Registration with Dr. Green is retried with exponential backoff from this many seconds;
# after KYC_REGISTRATION_MAX_ATTEMPTS the patient is flagged for staff attention.
KYC_REGISTRATION_RETRY_SECONDS = env.int("KYC_REGISTRATION_RETRY_SECONDS", default=60)
KYC_REGISTRATION_MAX_ATTEMPTS = env.int("KYC_REGISTRATION_MAX_ATTEMPTS", default=6)
# Pending patients are asked about this often (doubled after each failed call).
KYC_POLL_INTERVAL_SECONDS = env.int("KYC_POLL_INTERVAL_SECONDS", default=300)
