"""Colocauto settings.

Everything comes from the environment through the typed readers in ``colocauto.env``.
Without any variable set, the app runs in development with embedded defaults: a SQLite
file, Celery tasks run in-process, e-mail printed on the console. ``COLOCAUTO_ENV=production``
turns on the production shape and refuses to start without a real SECRET_KEY and
ALLOWED_HOSTS.
"""

from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from colocauto.cache import redis_cache
from colocauto.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_choice("COLOCAUTO_ENV", ("development", "production"), "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

_DEV_SECRET_KEY = "django-insecure-colocauto-development-only-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "Production needs a real SECRET_KEY (at least 50 random characters), "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# How many reverse proxies of ours stand in front of the app, each appending to X-Forwarded-For:
# the client's address (rate limits) is read from that header only through them (colocauto/proxies.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}.")

INSTALLED_APPS = [
    "colocauto.apps.ColocautoAdminConfig",  # django.contrib.admin with a rate-limited login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our own static files (no CDN)
    "allauth",
    "allauth.account",
    "csp",
    "django_htmx",
    "communities",
    "vehicles",
    "bookings",
    "ledger",
    "territories",
    "api",
    "privacy",
    "backups",
    "colocauto.apps.ProjectConfig",  # project-wide management commands (seed_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses the pages that allow it (colocauto.core.web.compressible) after every other middleware.
    "colocauto.middleware.CompressionMiddleware",
    "csp.middleware.CSPMiddleware",
    "colocauto.middleware.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "colocauto.middleware.PrivatePagesMiddleware",
    "communities.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: the calendar answers its own moves with the calendar only
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it is the first to see a domain error a view let through: one place maps it to an answer.
    "colocauto.core.web.DomainErrorMiddleware",
]

ROOT_URLCONF = "colocauto.urls"
WSGI_APPLICATION = "colocauto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["colocauto.templatetags.french"],  # « 1er décembre », « d’octobre »
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "communities.context_processors.navigation",
                "territories.context_processors.territory_navigation",
                "privacy.context_processors.pending_deletion",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so write transactions are serialised on SQLite.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured, else a real in-process cache (allauth's rate limits need one).
# Redis down or hung never fails a request: short timeouts, then this process's memory (colocauto/cache.py).
# Sessions live in the database (Django's default SESSION_ENGINE), so they never depend on Redis.
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "colocauto"}}

AUTH_USER_MODEL = "communities.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: the e-mail address is the login.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "communities.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "communities.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Colocauto] "
# Tell people when their password or e-mail address changes (templates/account/email/*).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "login": "30/m/ip",
}

# Internationalisation: French first, English complete.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English with day-first dates and 24-hour times (colocauto/formats/en/formats.py).
FORMAT_MODULE_PATH = ["colocauto.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files are served only through views that check membership, never publicly.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# Memory one picture may take while it is decoded and shrunk (colocauto/uploads.py): bigger pictures are refused.
IMAGE_DECODE_MAX_BYTES = env_int("IMAGE_DECODE_MAX_BYTES", 80 * 1024 * 1024)
# PDF receipts are stored as sent, so they are bounded on their own (an upload is also within UPLOAD_MAX_BYTES).
RECEIPT_PDF_MAX_BYTES = env_int("RECEIPT_PDF_MAX_BYTES", 10 * 1024 * 1024)
RECEIPT_PDF_MAX_PAGES = env_int("RECEIPT_PDF_MAX_PAGES", 20)

# E-mail: console by default, SMTP through the environment.
EMAIL_HOST = env_str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    # A hung mail server must not hold a worker (and the claims it leased) for ever.
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="Colocauto <noreply@colocauto.localhost>")
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000")

# Territories' reports: a cell is published only from this many households and bookings, with no
# household above this share of its km or hours. Every report's methodology states them.
TERRITORY_MIN_HOUSEHOLDS = env_int("TERRITORY_MIN_HOUSEHOLDS", 10)
TERRITORY_MIN_BOOKINGS = env_int("TERRITORY_MIN_BOOKINGS", 10)
TERRITORY_MAX_HOUSEHOLD_SHARE_PERCENT = env_int("TERRITORY_MAX_HOUSEHOLD_SHARE_PERCENT", 85)
if TERRITORY_MIN_HOUSEHOLDS < 2 or TERRITORY_MIN_BOOKINGS < 2 or not 1 <= TERRITORY_MAX_HOUSEHOLD_SHARE_PERCENT < 100:
    raise ImproperlyConfigured(
        "TERRITORY_MIN_HOUSEHOLDS and TERRITORY_MIN_BOOKINGS must be at least 2, "
        "TERRITORY_MAX_HOUSEHOLD_SHARE_PERCENT between 1 and 99."
    )

# Celery: Redis as broker when REDIS_URL is set, otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The broker only wakes workers up (the database holds the work: colocauto/queue.py): a web request
# gives a down or hung Redis a second or two, then carries on and the periodic sweep does the work.
BROKER_TIMEOUT = env_int("BROKER_TIMEOUT", 2)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": BROKER_TIMEOUT,
    "socket_connect_timeout": BROKER_TIMEOUT,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT
# A worker keeps reconnecting to a broker that went away; only publishing from a request gives up fast.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# E-mail outbox: a claim whose message is not marked sent after the lease is sent again by the sweep
# (beat, colocauto/celery.py), so a worker killed mid-send delays an e-mail but never loses it.
MAIL_CLAIM_LEASE_SECONDS = env_int("MAIL_CLAIM_LEASE_SECONDS", 10 * 60)
MAIL_SWEEP_SECONDS = env_int("MAIL_SWEEP_SECONDS", 5 * 60)
# Attempts before a message that keeps failing for a temporary reason is recorded as undeliverable.
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)
# E-mails of a batch (the monthly ones): claimed in one statement, sent over one connection, marked sent together.
MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", 50)

REST_FRAMEWORK = {
    # The token first: a request without credentials gets 401 with "WWW-Authenticate: Bearer".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.BrowserSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # OPTIONS answers 405 (DRF's metadata would describe forms the schema already documents).
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.ColocautoAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,  # money is a decimal string with two places, never a float
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Rate limits of the API ("N/second|minute|hour|day"): per personal access token, and per client address
# for every API request (checked before the token, so guessing tokens is slowed down too).
API_RATE_PER_TOKEN = env_str("API_RATE_PER_TOKEN", default="120/minute")
API_RATE_PER_ADDRESS = env_str("API_RATE_PER_ADDRESS", default="300/minute")

SPECTACULAR_SETTINGS = {
    "TITLE": "Colocauto API",
    "DESCRIPTION": (
        "Book the community's cars, record trips and expenses, read balances: the same rules and answers "
        "as the web pages. Authenticate with a personal access token (Authorization: Bearer cca_…) created "
        "in your profile, or with the browser's session. Every refusal is {code, detail, fields}: the codes "
        "are stable and listed in docs/error-codes.md. Money is a decimal string; times are ISO 8601 with "
        "the community's offset."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        # Ledger and territories (api/v1/ledger.py, territories.py): choice sets whose field names recur.
        "TransactionKindEnum": "ledger.models.Transaction.Kind",
        "TransferStatusEnum": "api.v1.ledger.TRANSFER_STATUSES",
        "TerritoryKindEnum": "territories.models.Territory.Kind",
        "ReportPeriodKindEnum": "api.v1.territories.PERIOD_KINDS",
        "VehicleKindEnum": "vehicles.models.Vehicle.Kind",
        "BookingStatusEnum": "bookings.models.Booking.Status",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# Security headers; the CSP allows only our own static assets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/ready$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every PDF step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

# Open data: the GBFS 3.0 feed of the communities listed publicly (territories/gbfs/). The system id
# defaults to one derived from SITE_URL; the licence is an SPDX id from GBFS's list (ODbL is the
# reference licence of France's national access point for transport data).
GBFS_SYSTEM_ID = env_str("GBFS_SYSTEM_ID", default="")
GBFS_SYSTEM_NAME = env_str("GBFS_SYSTEM_NAME", default="Colocauto")
GBFS_CONTACT_EMAIL = env_str("GBFS_CONTACT_EMAIL", default=parseaddr(DEFAULT_FROM_EMAIL)[1])

# Privacy: the address on the privacy page for questions and erasure requests, and how many archives of
# their data a person may ask for in a day (each one reads their whole history).
# An expense saved as "receipt to follow" reminds its payer this many days later if still without receipt.
RECEIPT_REMINDER_AFTER_DAYS = env_int("RECEIPT_REMINDER_AFTER_DAYS", 3)
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", default=parseaddr(DEFAULT_FROM_EMAIL)[1])
PRIVACY_EXPORTS_PER_DAY = env_int("PRIVACY_EXPORTS_PER_DAY", 3)
# How many archives of a whole community its admins may ask for in a day (each one holds every upload).
BACKUPS_PER_DAY = env_int("BACKUPS_PER_DAY", 3)
# Retention (days), applied every night by privacy.tasks.retention_apply: receipts six years after the
# expense (beyond the five-year limitation period for claims between individuals), incident photos three
# years (beyond the two years of insurance claims), expired or revoked invitations 90 days, sessions once expired.
RETENTION_RECEIPT_DAYS = env_int("RETENTION_RECEIPT_DAYS", 6 * 365)
RETENTION_INCIDENT_PHOTO_DAYS = env_int("RETENTION_INCIDENT_PHOTO_DAYS", 3 * 365)
RETENTION_INVITATION_DAYS = env_int("RETENTION_INVITATION_DAYS", 90)
RETENTION_SESSION_DAYS = env_int("RETENTION_SESSION_DAYS", 0)
GBFS_LICENSE_ID = env_str("GBFS_LICENSE_ID", default="ODbL-1.0")
