"""Settings shared by every environment; machine-specific values come from the environment."""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from xstatic.pkg import bootstrap as xstatic_bootstrap

from .environment import env_bool, env_int, env_list, env_str, site_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
# The public address every absolute link is built on; locally it follows `make run`'s
# HOST and PORT. Production's must be https (`check --deploy` fails otherwise: wmasn/checks.py).
SITE_URL = site_url()
NETWORK_NAME = "West Midlands Anti Slavery Network"

INSTALLED_APPS = [
    # Before django_tasks_db: its `db_worker` command also queues the periodic jobs' tick.
    "wmasn.jobs",
    "wmasn.mail",
    "network",
    "events",
    "pledges",
    "survey",
    "actions",
    "newsletters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.syndication",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # The newsletter editor's static files (newsletters/editor.py); its own widgets are unused.
    "django_prose_editor",
    # Django's form and widget templates, for FORM_RENDERER below.
    "django.forms",
    # Last: it adds filters to the other apps' admin lists once they are registered.
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the Host header: load balancers check by IP address.
    "wmasn.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wmasn.middleware.PermissionsPolicyMiddleware",
    "wmasn.middleware.SecretPagesMiddleware",
    "wmasn.middleware.CachedCSPMiddleware",
    "wmasn.input.RejectNulBytesMiddleware",
    # Calls the calendar feeds' views before the middleware below, which they never use.
    "events.middleware.FeedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wmasn.middleware.AdminRequiresMFAMiddleware",
]

ROOT_URLCONF = "wmasn.urls"
# Widgets render through TEMPLATES, so templates/django/forms/widgets/ and
# templates/auth/widgets/ can make Django's own widgets valid HTML (docs/quality.md).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "wmasn.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wmasn.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "network.User"
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

# django-allauth: email is the login, verified before first use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
# Rate limits count per client address: behind the proxy, see wmasn/clients.py.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[WMASN] "
# Sign-up verification, password resets and notices go through the outbox (wmasn.mail);
# rate limits count per client address (wmasn/clients.py).
ACCOUNT_ADAPTER = "wmasn.accounts.AccountAdapter"
# Sign-up asks for a name and the agency (network/forms.py); confirming the address in the
# browser that signed up logs the person in, on the home page that shows their next step.
ACCOUNT_SIGNUP_FORM_CLASS = "network.forms.SignupForm"
# The same work for a known address as for a new one: timing tells nobody who has an account.
ACCOUNT_FORMS = {"signup": "wmasn.accounts.SignupForm"}
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Says so when a TOTP code cannot be checked for replay (wmasn/cache.py, wmasn/accounts.py).
MFA_ADAPTER = "wmasn.accounts.MFAAdapter"
MFA_TOTP_ISSUER = "WMASN Portal"
# Network officers must enrol MFA before the admin will open for them.
WMASN_ADMIN_REQUIRES_MFA = env_bool("ADMIN_REQUIRES_MFA", True)

# Pages that show a secret, by URL name: sent "private, no-store" (wmasn/middleware.py).
WMASN_SECRET_PAGES = {
    "events:calendar",
    "events:ticket",
    "events:feedback",
    "events:guest-data",
    "events:register-confirm",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}

# Data protection: whom people write to about their personal data (shown on /privacy/).
WMASN_PRIVACY_CONTACT = env_str("WMASN_PRIVACY_CONTACT", "privacy@example.org")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic_bootstrap.BASE_DIR),
]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded files (wmasn/uploads.py): in the default storage, never served from MEDIA_URL;
# views that check access serve them. Production may use S3 (docs/deployment.md).
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
WMASN_UPLOAD_MAX_IMAGE_BYTES = env_int("UPLOAD_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
WMASN_UPLOAD_MAX_DOCUMENT_BYTES = env_int("UPLOAD_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)
# Larger images are refused before decoding (a decompression bomb is a few KB on disk).
WMASN_UPLOAD_MAX_IMAGE_PIXELS = 50_000_000
WMASN_IMAGE_WEB_WIDTH = 1200
# Twice the 560 px an email shows, for sharp phone and retina screens.
WMASN_IMAGE_EMAIL_WIDTH = 1120

# "database" is the table `manage.py createcachetable` makes: with Redis in production, rate
# limits and TOTP replay checks are kept there all the same (wmasn/cache.py). Not culled at
# Django's default of 300 entries: a flood of keys must not evict a live rate-limit count
# (expired rows go first when the table is culled).
DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "wmasn_cache",
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": DATABASE_CACHE,
}

# Email: SMTP when EMAIL_HOST is set, the console otherwise (prod always uses SMTP).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "WMASN Portal <portal@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The network's people: where replies to the portal's emails go (Reply-To) and where the
# inbox forwards what a person wrote. Unset, officers read those in the admin.
NETWORK_CONTACT_EMAIL = env_str("NETWORK_CONTACT_EMAIL", "")
# DKIM: with a private key (PEM, or the path of a PEM file), the worker signs every message
# (wmasn.mail.dkim_signing); DKIM_DOMAIN defaults to the From address's domain.
DKIM_PRIVATE_KEY = env_str("DKIM_PRIVATE_KEY", "")
DKIM_SELECTOR = env_str("DKIM_SELECTOR", "wmasn")
DKIM_DOMAIN = env_str("DKIM_DOMAIN", "")

# The inbound mailbox (wmasn.mail.inbox): invitation answers, bounces, auto-replies and
# members' replies. With INBOUND_IMAP_HOST unset nothing reads it.
INBOUND_IMAP_HOST = env_str("INBOUND_IMAP_HOST", "")
INBOUND_IMAP_PORT = env_int("INBOUND_IMAP_PORT", 0)  # 0: 993 with TLS, 143 without
INBOUND_IMAP_USER = env_str("INBOUND_IMAP_USER", "")
INBOUND_IMAP_PASSWORD = env_str("INBOUND_IMAP_PASSWORD", "")
INBOUND_IMAP_TLS = env_bool("INBOUND_IMAP_TLS", True)
INBOUND_IMAP_FOLDER = env_str("INBOUND_IMAP_FOLDER", "INBOX")
# The address replies go to: ORGANIZER of invitations, and (as bounces+…@its domain) the
# envelope sender that brings bounces back.
INBOUND_ADDRESS = env_str("INBOUND_ADDRESS", "")

# Background work (mail, periodic jobs): django-tasks with its database backend, run by
# `python manage.py db_worker` (docs/deployment.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Sessions live in the database, shared by every worker and app server.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# No secret link in any log (wmasn/log_redaction.py: the one table of URLs with a secret):
# the console handler redacts whatever reaches it, and LOGGING_CONFIG adds the same filter to
# the loggers with handlers of their own (gunicorn's access log, runserver, django.request).
LOGGING_CONFIG = "wmasn.log_redaction.configure_logging"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "wmasn.log_redaction.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
