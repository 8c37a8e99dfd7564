"""Settings of the Point of Single Contact portal.

Everything is read from environment variables (see README, "Configuration"); the defaults give
the embedded set-up: SQLite, a file-system Celery broker, files on disk under ``var/``.
``DJANGO_ENV=production`` switches on the secure settings and makes the secrets mandatory.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.accounts.eid import eidas_provider
from portal.accounts.eid_oidc.config import parse_oidc_providers
from portal.env import env_bool, env_choice, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", ("development", "test", "production"), "development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

DEBUG = env_bool("DEBUG", default=DJANGO_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

# Runtime files (SQLite database, uploads, broker folders) live under one root.
STORAGE_ROOT = Path(env_str("STORAGE_ROOT", str(BASE_DIR / ("var/test" if TESTING else "var")))).resolve()

if PRODUCTION:
    SECRET_KEY = env_required(
        "SECRET_KEY", "a long random value, kept secret, the same on every web and worker process."
    )
else:
    SECRET_KEY = env_str("SECRET_KEY", "development-only-key-not-for-production-0123456789abcdefghijklmnop")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS to the host names the portal is served under (comma-separated)."
    )

PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# ISO 3166-1 alpha-2 of the member state the portal serves (SDG meta tags, schema.org areaServed).
# The default XA is a user-assigned code: the demo's Republic of Aurelia is fictional.
PORTAL_COUNTRY = env_str("PORTAL_COUNTRY", "XA").upper()
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public catalogue pages are stored whole for visitors without a session, for at most this long
# (publishing invalidates them at once); 0 switches the page cache off.
PORTAL_PAGE_CACHE_SECONDS = env_int("PORTAL_PAGE_CACHE_SECONDS", 300, minimum=0)

# The demo (portal.demo: the Aurelia catalogue, rundemo, the test QTSP and the demo authority access
# point) is installed everywhere but in production; PORTAL_DEMO=0 leaves it out elsewhere too.
PORTAL_DEMO = env_bool("PORTAL_DEMO", not PRODUCTION)
if PRODUCTION and PORTAL_DEMO:
    raise ImproperlyConfigured("PORTAL_DEMO=1 cannot be combined with DJANGO_ENV=production.")

INSTALLED_APPS = [
    # the portal's own building blocks, in the direction data flows
    "procedures",
    "portal.core",
    "portal.accounts",
    "portal.dossiers",
    "portal.signing",
    "portal.delivery",
    "portal.submissions",
    "portal.backoffice",
    *(["portal.demo"] if PORTAL_DEMO else []),
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales: the translation workflow
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "portal.accounts.eid_oidc",
    "djangosaml2",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.core.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.StaffMFARequiredMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.layout",
                "portal.accounts.context_processors.eidas",
                "portal.accounts.context_processors.authority_staff",
            ],
        },
    },
]
FORM_RENDERER = "portal.core.forms.PortalFormRenderer"

# --- Database -------------------------------------------------------------------------------
_default_database_url = f"sqlite:///{STORAGE_ROOT / 'portal.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _default_database_url),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL this portal understands: {error}"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A file, not memory: the Celery worker is another process and must see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(STORAGE_ROOT / "test-portal.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, sessions of allauth flows): shared between processes ------------------
_cache_url = env_str("CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
elif _cache_url in ("", "file"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(STORAGE_ROOT / "cache"),
        }
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_URL={_cache_url!r}: use redis://host:port/db, or leave it empty for files."
    )

# --- Files: only through Django's storage API, so web and worker hosts can share them -----------
# "default" holds public CMS media (Wagtail images); "private" holds applicants' documents and
# rendered/signed PDFs, which have no public URL and are served only through permission checks.
MEDIA_URL = "/media/"
MEDIA_ROOT = STORAGE_ROOT / "media"
STATIC_URL = "/static/"
STATIC_ROOT = STORAGE_ROOT / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = (
    not PRODUCTION
)  # outside production, serve straight from static/ without collectstatic
if not PRODUCTION:
    warnings.filterwarnings("ignore", message="No directory at")

STORAGE_BACKEND = env_choice("STORAGE_BACKEND", ("filesystem", "s3"), "filesystem")
if STORAGE_BACKEND == "s3":
    _s3 = {
        "bucket_name": env_required("S3_BUCKET", "the bucket that holds the portal's files."),
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "region_name": env_str("S3_REGION") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID") or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
        "file_overwrite": False,
    }
    _public_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "public"}}
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3, "location": "private", "default_acl": "private", "querystring_auth": True},
    }
else:
    _public_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _private_storage = {
        "BACKEND": "portal.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(STORAGE_ROOT / "private")},
    }
STORAGES = {
    "default": _public_storage,
    "private": _private_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Brussels")
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
if TESTING:
    ACCOUNT_RATE_LIMITS = (
        False  # tests sign in many times from one address; allauth's limits stay on elsewhere
    )
# MFA: required for staff, superusers and Wagtail editors (portal.accounts.middleware).
# Security keys (WebAuthn) work where the browser offers them: https, or http://localhost in development.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("PORTAL_NAME", "Point of Single Contact")
# Sign-in with a national eID through OpenID Connect: providers come from OIDC_PROVIDERS (JSON, see
# portal/accounts/eid_oidc/config.py, options of the eID provider "oidc" in portal/accounts/eid.py)
# and/or from "Social applications" in the Django admin.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an IdP's e-mail claim never takes over an existing account
SOCIALACCOUNT_STORE_TOKENS = False
# eIDAS SAML sign-in (djangosaml2 + pysaml2, portal/accounts/eidas_saml/): off until the SP key, its
# certificate and the eIDAS node's metadata are given.
EIDAS_SAML = {
    "sp_key_file": env_str("EIDAS_SP_KEY_FILE"),
    "sp_cert_file": env_str("EIDAS_SP_CERT_FILE"),
    "idp_metadata": env_str("EIDAS_IDP_METADATA"),
    "entity_id": env_str("EIDAS_SP_ENTITY_ID"),
    "minimum_level": env_choice("EIDAS_MINIMUM_LOA", ("low", "substantial", "high"), "substantial"),
}
eidas_provider(EIDAS_SAML)  # the eidas-saml eID provider's options, checked at start-up
SAML_CONFIG_LOADER = "portal.accounts.eidas_saml.config.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_SESSION_COOKIE_SAMESITE = "None"  # the eIDAS node POSTs the answer back from another site
SAML_CSP_HANDLER = ""  # the portal sets no Content-Security-Policy header of its own yet
SOCIALACCOUNT_PROVIDERS = {
    "eid_oidc": {
        "APPS": parse_oidc_providers(env_str("OIDC_PROVIDERS", "")),
        "OAUTH_PKCE_ENABLED": True,
    }
}

# --- E-mail -----------------------------------------------------------------------------------
# Requests only store e-mail; the "mail" queue delivers it through EMAIL_DELIVERY_BACKEND.
EMAIL_BACKEND = "portal.core.mail.QueuedEmailBackend"
EMAIL_DELIVERY_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_MESSAGE_ID_DOMAIN = env_str(
    "EMAIL_MESSAGE_ID_DOMAIN", urlsplit(PORTAL_BASE_URL).hostname or "localhost"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Point of Single Contact <no-reply@psc.example.eu>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery: one queue per building block so each can be scaled on its own ----------------------
CELERY_QUEUES_BY_BLOCK = ("default", "dossiers", "signing", "delivery", "mail")
_broker_url = env_str("CELERY_BROKER_URL", "filesystem://")
_broker_scheme = urlsplit(_broker_url).scheme
if _broker_scheme not in ("filesystem", "redis", "rediss", "amqp", "amqps", "pyamqp", "memory"):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={_broker_url!r}: use redis://, amqp:// or filesystem:// (the embedded default)."
    )
CELERY_BROKER_URL = _broker_url
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if _broker_scheme == "filesystem":
    _broker_dir = STORAGE_ROOT / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(STORAGE_ROOT / "celery" / "control"),
        "store_processed": False,
    }
if (_result_url := env_str("CELERY_RESULT_BACKEND")) != "":
    CELERY_RESULT_BACKEND = _result_url
elif _broker_scheme in ("redis", "rediss"):
    CELERY_RESULT_BACKEND = _broker_url
else:
    CELERY_RESULT_BACKEND = f"file://{STORAGE_ROOT / 'celery' / 'results'}"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "dossiers.*": {"queue": "dossiers"},
    "signing.*": {"queue": "signing"},
    "delivery.*": {"queue": "delivery"},
    "mail.*": {"queue": "mail"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.heartbeat", "schedule": 60.0},
    "signing-refresh-trusted-lists": {"task": "signing.refresh_trusted_lists", "schedule": 6 * 3600.0},
    "delivery-sweep": {"task": "delivery.sweep", "schedule": 30.0},
    "dossiers-sweep-submissions": {"task": "dossiers.sweep_submissions", "schedule": 300.0},
    "backoffice-tacit-approvals": {"task": "backoffice.tacit_approvals", "schedule": 300.0},
    "backoffice-tacit-approval-warnings": {"task": "backoffice.tacit_approval_warnings", "schedule": 3600.0},
    "dossiers-rescan-pending": {"task": "dossiers.rescan_pending", "schedule": 600.0},
}

# --- Documents (dossier uploads, eSafe) ----------------------------------------------------------
# Largest upload per document; an evidence type cannot raise it. Refused while the body streams in.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# The virus scanner (a registry, see portal/dossiers/scanning.py): "none" (embedded default, nothing
# is scanned and documents say so) or "clamav" (clamd's INSTREAM at CLAMAV_ADDRESS).
CLAMAV_ADDRESS = env_str("CLAMAV_ADDRESS")
_scanner_name = env_choice("DOCUMENT_SCANNER", ("none", "clamav"), "clamav" if CLAMAV_ADDRESS else "none")
if _scanner_name == "clamav" and not CLAMAV_ADDRESS:
    raise ImproperlyConfigured(
        "DOCUMENT_SCANNER=clamav needs CLAMAV_ADDRESS (tcp://host:3310 or unix:///path)."
    )
DOCUMENT_SCANNER: dict = (
    {"class": "clamav", "address": CLAMAV_ADDRESS, "timeout": env_int("CLAMAV_TIMEOUT", 30, minimum=1)}
    if _scanner_name == "clamav"
    else {"class": "none"}
)
# A document whose scan failed (scanner down) is tried again after this many seconds, then longer.
DOCUMENT_SCAN_RETRY_SECONDS = env_int("DOCUMENT_SCAN_RETRY_SECONDS", 60, minimum=1)

# --- Delivery (AS4 access point) -------------------------------------------------------------
# P-Modes, our key and the truststore: one JSON file (see portal/delivery/pmodes.py).
DELIVERY_PMODES_FILE = env_str("DELIVERY_PMODES_FILE", str(STORAGE_ROOT / "delivery" / "pmodes.json"))
DELIVERY_MAX_MESSAGE_BYTES = env_int("DELIVERY_MAX_MESSAGE_BYTES", 256 * 1024 * 1024, minimum=1024)
# An attempt still "sent" after this long died with its worker; the sweep puts it back in line.
DELIVERY_STALE_ATTEMPT_SECONDS = env_int("DELIVERY_STALE_ATTEMPT_SECONDS", 900, minimum=60)

# --- Back-office ------------------------------------------------------------------------------
# How many days before an application is tacitly approved its staff are warned by e-mail (and the
# inbox marks it).
BACKOFFICE_TACIT_WARNING_DAYS = env_int("BACKOFFICE_TACIT_WARNING_DAYS", 3, minimum=0)

# --- Signing: which QTSP signs (a registry of signers, see portal/signing/signers.py) -----------
# With the demo app the default signs with its bundled test QTSP (`manage.py run_test_qtsp`, started
# by rundemo). Elsewhere set SIGNING_SIGNERS to JSON: {"name": {"class": "csc", "service_url": ...}}.
SIGNING_TEST_QTSP_URL = env_str("SIGNING_TEST_QTSP_URL", "http://127.0.0.1:8765").rstrip("/")
_signers_json = env_str("SIGNING_SIGNERS")
try:
    SIGNING_SIGNERS = (
        json.loads(_signers_json)
        if _signers_json
        else {"test-qtsp": {"class": "test-qtsp", "service_url": SIGNING_TEST_QTSP_URL}}
        if PORTAL_DEMO
        else {}
    )
except ValueError as error:
    raise ImproperlyConfigured(f"SIGNING_SIGNERS is not JSON: {error}") from None
if not isinstance(SIGNING_SIGNERS, dict):
    raise ImproperlyConfigured('SIGNING_SIGNERS must be a JSON object {"name": {"class": ..., ...}}.')
SIGNING_DEFAULT_SIGNER = env_str("SIGNING_DEFAULT_SIGNER", next(iter(SIGNING_SIGNERS), ""))
# EU trusted lists (refreshed by beat and `manage.py signing refresh-trust`, cached in
# storages["private"]). A mirror serves https://host/path as <mirror>/host/path; TERRITORIES
# (comma-separated, e.g. "BE,FR") restricts which national lists are fetched (default: all).
SIGNING_LOTL_URL = env_str("SIGNING_LOTL_URL", "https://ec.europa.eu/tools/lotl/eu-lotl.xml")
SIGNING_TRUSTED_LIST_MIRROR = env_str("SIGNING_TRUSTED_LIST_MIRROR")
SIGNING_TRUSTED_LIST_TERRITORIES = env_list("SIGNING_TRUSTED_LIST_TERRITORIES")
SIGNING_LOTL_SIGNER_CERTS = env_list("SIGNING_LOTL_SIGNER_CERTS")  # default: the OJEU's, shipped by pyHanko
SIGNING_TRUST_ANCHORS = env_list("SIGNING_TRUST_ANCHORS")  # extra roots (PEM/DER files) besides the lists
# The portal's e-seal over the containers it sends (portal/signing/seal.py); outside production the
# test QTSP's e-seal is used when this is not set.
SIGNING_SEAL_PKCS12 = env_str("SIGNING_SEAL_PKCS12")
SIGNING_SEAL_PASSWORD = env_str("SIGNING_SEAL_PASSWORD")
SIGNING_SEAL_TSA_URL = env_str("SIGNING_SEAL_TSA_URL")
# Validation fetches the OCSP responses / CRLs a signed file lacks from the URLs in its
# certificates (timeout per request in seconds; answers capped at 10 MiB). Off by default.
SIGNING_VALIDATION_ONLINE = env_bool("SIGNING_VALIDATION_ONLINE", default=False)
SIGNING_REVOCATION_FETCH_TIMEOUT = env_int("SIGNING_REVOCATION_FETCH_TIMEOUT", 10, minimum=1)

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("PORTAL_NAME", "Point of Single Contact")
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "docx", "xlsx", "csv", "txt"]
WAGTAILADMIN_LOGIN_URL = "account_login"  # editors sign in through allauth, so MFA applies

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging: to stderr, where the process manager collects it ---------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}
