"""A real OpenID provider (django-oidc-provider) for the tests, run as its own process on 127.0.0.1.

It stands for a national eID proxy: it signs ID tokens with RS256, checks PKCE, echoes the nonce and
asserts an eIDAS level of assurance in ``acr``. Started by tests/accounts/oidc_fixtures.py.
"""

import os

SECRET_KEY = "test-openid-provider-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
OP_PORT = int(os.environ["OP_PORT"])
SITE_URL = f"http://127.0.0.1:{OP_PORT}"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oidc_provider",
    "tests.accounts.oidc_op",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.accounts.oidc_op.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OP_DATABASE"]}}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LOGIN_URL = "/login/"
# Its own cookie names: cookies are not separated by port, and the portal runs on the same machine.
SESSION_COOKIE_NAME = "op_sessionid"
CSRF_COOKIE_NAME = "op_csrftoken"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OIDC_USERINFO = "tests.accounts.oidc_op.claims.userinfo"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.accounts.oidc_op.claims.add_level_of_assurance"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
