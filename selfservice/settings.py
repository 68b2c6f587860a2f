"""Settings for Self-service.

Defaults run the embedded setup: SQLite, local files, e-mails written to the
console. Production sets DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
DATABASE_URL and optionally REDIS_URL and EMAIL_HOST (SMTP). See README "Configuration".
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from selfservice.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

# Encrypts SIM PIN/PUK and other secrets at rest (Fernet keys, comma separated;
# the first encrypts, all decrypt, so keys can be rotated).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The operator's staff reach Django admin here; not at the guessable default.
ADMIN_URL = env_str("DJANGO_ADMIN_URL", "operator/admin/").strip("/") + "/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "common",  # the formatting layer's template filters ({% load formats %})
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_htmx",
    "jobs",  # before django_tasks_db: its db_worker (with leases) replaces the library's
    "django_tasks_db",
    "bootstrap",
    "fontawesome",
    # The portal's own apps: one per area of the help page.
    "accounts",
    "companies",
    "audit",
    "outbox",
    "portal",
    "tickets",
    "subscriptions",
    "numbering",  # "numbers" would shadow the standard library module
    "invoicing",
    "usage",  # usage so far this month: daily totals kept as usage arrives, the dashboard, scheduled reports
    "guardrails",  # spend and roaming guardrails (issue 17): policies, warnings, bars, raise requests
    "products",  # the Products area: catalogue, orders, approvals, fulfilment
    "sso",  # single sign-on per company (OpenID Connect, verified domains)
    "employees",  # an employee's read-only view of their own subscription, and their requests to the admins
    "api",  # the customer API (TMF Open API lines), before ninja so its docs page template wins
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.HealthCheckMiddleware",  # before anything that reads the session (a 503, not a 500)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SlidingSessionMiddleware",  # after SessionMiddleware: it saves what this marks
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sso.middleware.SamlHostHeaderMiddleware",  # after CommonMiddleware, which has checked the host
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "companies.middleware.ActiveMembershipMiddleware",
    "accounts.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "selfservice.urls"
WSGI_APPLICATION = "selfservice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections in production: a new PostgreSQL connection per request cost about a third
        # of the list page's throughput (docs/benchmarks.md). Each gunicorn thread keeps one. The dev server
        # starts a thread per request, so there (DEBUG) connections are closed after each request.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 600),
        # A persistent connection that died (database restart) is replaced before use, not on the error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# {% cache %} fragments and the overview's kept sections: in each process, keyed by everything they show (a
# fragment whose inputs change gets a new key), so a hit costs no round trip (docs/benchmarks.md, issue 14).
_FRAGMENTS = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "common.cache.RedisCache",  # one Redis client per pool, not per call
            "LOCATION": REDIS_URL,
        },
        "template_fragments": _FRAGMENTS,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "template_fragments": _FRAGMENTS,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:overview"

# django-allauth: e-mail login, no self sign-up (the operator's staff grant access).
# sso's subclass of accounts.adapters.AccountAdapter: the second factor is not asked again after an IdP's MFA.
ACCOUNT_ADAPTER = "sso.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/300s/key"),
    "reset_password": "20/m/ip,5/m/key",
}
# Single sign-on (sso/): each company's OpenID Connect or SAML IdP is an allauth app built from
# sso.SsoConfiguration. The SAML provider is allauth's, plus a replay check and the IdP's MFA (sso.saml).
SOCIALACCOUNT_ADAPTER = "sso.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {"saml": {"provider_class": "sso.saml.CompanySAMLProvider"}}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # sso.adapters connects by a verified domain only
ACCOUNT_FORMS = {"login": "sso.forms.SsoLoginForm", "reset_password": "sso.forms.SsoResetPasswordForm"}
SSO_TXT_RESOLVER = env_str("SSO_TXT_RESOLVER", "sso.dns.DnsPythonResolver")
# An IdP's URLs (typed in by a customer's admin) must be public https (sso.safe_http); SSO_ALLOW_LOCAL also
# allows http://127.0.0.1 (development and tests only, like WEBHOOK_ALLOW_LOCAL).
SSO_ALLOW_LOCAL = env_bool("SSO_ALLOW_LOCAL", DEBUG)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Self-service"

# Sessions expire after 8 hours of inactivity and when the browser closes.
# The customer API's rate limit: requests per client per window (seconds); over it, 429 with Retry-After.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", 60)
# Webhooks (api.webhooks): tries per delivery, the first retry's delay (doubling, at most an hour apart),
# the callback's time to answer. WEBHOOK_ALLOW_LOCAL lets callbacks use http://127.0.0.1 (development and
# tests only: in production a callback must be https and must not resolve to a private address).
WEBHOOK_MAX_TRIES = env_int("WEBHOOK_MAX_TRIES", 8)
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 30)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_ALLOW_LOCAL = env_bool("WEBHOOK_ALLOW_LOCAL", DEBUG)
# Webhook events, deliveries and tries older than this are removed by manage.py prune_webhook_history.
WEBHOOK_RETENTION_DAYS = env_int("WEBHOOK_RETENTION_DAYS", 30)
# Requests with a wrong key per client address and window; past it, wrong keys answer 429.
API_FAILED_AUTH_LIMIT = env_int("API_FAILED_AUTH_LIMIT", 30)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# Not every request: portal.middleware.SlidingSessionMiddleware pushes the expiry forward when it was last
# pushed more than SESSION_REFRESH_INTERVAL seconds ago (a session write per minute, not per page).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_INTERVAL = env_int("SESSION_REFRESH_INTERVAL", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("da", _("Danish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["selfservice.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded and generated files (attachments, invoice PDFs) live outside the
# static path and are only served through views that check the company.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "files")))

# E-mail: every message goes through the outbox (a row written in the caller's transaction);
# `send_outbox` hands it to the transport: SMTP when EMAIL_HOST is set, otherwise the console
# (or EMAIL_BACKEND=file to write messages to var/mail). OUTBOX_TRANSPORT overrides the transport
# with a dotted backend path (e.g. django.core.mail.backends.smtp.EmailBackend).
_smtp_host = env_str("EMAIL_HOST")
_transport: dict[str, object]
if _smtp_host:
    _transport = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _smtp_host,
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        },
    }
elif env_str("EMAIL_BACKEND", "console") == "file":
    _transport = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))},
    }
else:
    _transport = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
OUTBOX_TRANSPORT = env_str("OUTBOX_TRANSPORT")
if OUTBOX_TRANSPORT and OUTBOX_TRANSPORT != _transport["BACKEND"]:
    _transport = {"BACKEND": OUTBOX_TRANSPORT}
MAILERS = {
    "default": {"BACKEND": "outbox.backends.OutboxBackend"},
    "outbox_transport": _transport,
}
# Temporary failures (4xx, server unreachable) are retried with backoff for this long.
OUTBOX_RETRY_HOURS = env_int("OUTBOX_RETRY_HOURS", 72)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Self-service <selvbetjening@operator.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's public address, for links in e-mails (no trailing slash).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The EU roaming rule's 50 EUR a month in øre: øre per euro (Danmarks Nationalbank's central rate, 7.46).
GUARDRAILS_EUR_DKK_ORE = env_int("GUARDRAILS_EUR_DKK_ORE", 746)
# Lines per transaction of the guardrail evaluation task (after a usage import; docs/guardrails.md).
GUARDRAILS_EVALUATION_CHUNK = env_int("GUARDRAILS_EVALUATION_CHUNK", 1000)
# Where the operator's staff are told about new tickets and port requests.
STAFF_NOTIFICATION_EMAILS = env_list("STAFF_NOTIFICATION_EMAILS", ["support@operator.example"])

# Bulk updates of subscriptions up to this many rows run in the request; larger ones run as a task.
SUBSCRIPTIONS_BULK_SYNC_LIMIT = env_int("SUBSCRIPTIONS_BULK_SYNC_LIMIT", 200)

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A running task whose worker sent no heartbeat for this long is queued again (the worker died) ...
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 300)
# ... until it has been started this many times; then it is marked failed (staff can retry it).
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)

# Security headers. HTTPS-only settings switch on with DJANGO_SECURE=true
# (on by default when DEBUG is off).
SECURE = env_bool("DJANGO_SECURE", not DEBUG)
# The load balancer's health probe speaks plain HTTP and may not send X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", SECURE)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default config gives "django" its own console handler (when DEBUG) on top of the root's:
        # every django.* line (e.g. the worker's "django.tasks" lines) was printed twice. The root prints them.
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "INFO"},
    },
}

# Page sizes for server-side pagination.
PAGE_SIZE = 25

# E-invoice delivery through an access point (Peppol / NemHandel): invoicing.access_point. Without a URL
# the local fake acknowledges every document (tests, the demo).
_access_point_url = env_str("EINVOICE_ACCESS_POINT_URL")
EINVOICE_ACCESS_POINT = (
    {
        "BACKEND": "invoicing.access_point.HttpAccessPoint",
        "OPTIONS": {"URL": _access_point_url, "TOKEN": env_str("EINVOICE_ACCESS_POINT_TOKEN")},
    }
    if _access_point_url
    else {"BACKEND": "invoicing.access_point.FakeAccessPoint"}
)
# The operator's letterhead and bank account on invoices (invoicing.pdf.OPERATOR_DEFAULTS has the keys).
INVOICE_OPERATOR = {
    key: value
    for key, value in {
        "name": env_str("INVOICE_OPERATOR_NAME"),
        "cvr": env_str("INVOICE_OPERATOR_CVR"),
        "gln": env_str("INVOICE_OPERATOR_GLN"),
        "reg": env_str("INVOICE_OPERATOR_REG"),
        "account": env_str("INVOICE_OPERATOR_ACCOUNT"),
        "iban": env_str("INVOICE_OPERATOR_IBAN"),
        "bic": env_str("INVOICE_OPERATOR_BIC"),
        "fi_creditor": env_str("INVOICE_OPERATOR_FI_CREDITOR"),
    }.items()
    if value
}
# Zero-touch enrolment of ordered devices (products.zerotouch, docs/products.md). The router sends each device to
# its provider's reseller API; a provider without its settings leaves the devices waiting (check products.W001).
PRODUCTS_ZERO_TOUCH_ADAPTER = env_str("PRODUCTS_ZERO_TOUCH_ADAPTER", "products.zerotouch.ProviderRouter")
_zt_timeout = env_int("ZERO_TOUCH_TIMEOUT_SECONDS", 20)
PRODUCTS_ZERO_TOUCH = {
    "apple": {
        "URL": env_str("ZERO_TOUCH_APPLE_URL", "https://api-applecareconnect.apple.com/enroll-service/1.0"),
        "SOLD_TO": env_str("ZERO_TOUCH_APPLE_SOLD_TO"),
        "SHIP_TO": env_str("ZERO_TOUCH_APPLE_SHIP_TO"),
        "CERT_FILE": env_str("ZERO_TOUCH_APPLE_CERT_FILE"),
        "KEY_FILE": env_str("ZERO_TOUCH_APPLE_KEY_FILE"),
        "CA_FILE": env_str("ZERO_TOUCH_APPLE_CA_FILE"),
        "TIME_ZONE": env_str("ZERO_TOUCH_APPLE_TIME_ZONE", "0"),
        "TIMEOUT": _zt_timeout,
    },
    "knox": {
        "URL": env_str("ZERO_TOUCH_KNOX_URL", "https://eu-kcs-api.samsungknox.com"),
        "TOKEN_URL": env_str("ZERO_TOUCH_KNOX_TOKEN_URL", "https://api.samsungknox.com/ams/v1/oauth2/token"),
        "CLIENT_ID": env_str("ZERO_TOUCH_KNOX_CLIENT_ID"),
        "CLIENT_SECRET": env_str("ZERO_TOUCH_KNOX_CLIENT_SECRET"),
        "SCOPE": env_str("ZERO_TOUCH_KNOX_SCOPE", "kdp"),
        "RESELLER_ID": env_str("ZERO_TOUCH_KNOX_RESELLER_ID"),
        "TIMEOUT": _zt_timeout,
    },
    "android": {
        "URL": env_str("ZERO_TOUCH_ANDROID_URL", "https://androiddeviceprovisioning.googleapis.com"),
        "PARTNER_ID": env_str("ZERO_TOUCH_ANDROID_PARTNER_ID"),
        "SERVICE_ACCOUNT_FILE": env_str("ZERO_TOUCH_ANDROID_SERVICE_ACCOUNT_FILE"),
        "MANUFACTURER": env_str("ZERO_TOUCH_ANDROID_MANUFACTURER"),
        "TIMEOUT": _zt_timeout,
    },
}
# Temporary failures (timeouts, 5xx, 429) are retried after 1, 2, 4 … minutes (at most an hour) this many times;
# Apple's transactions are checked every POLL_SECONDS, at most MAX_POLLS times.
PRODUCTS_ZERO_TOUCH_MAX_ATTEMPTS = env_int("ZERO_TOUCH_MAX_ATTEMPTS", 8)
PRODUCTS_ZERO_TOUCH_RETRY_SECONDS = env_int("ZERO_TOUCH_RETRY_SECONDS", 60)
PRODUCTS_ZERO_TOUCH_POLL_SECONDS = env_int("ZERO_TOUCH_POLL_SECONDS", 60)
PRODUCTS_ZERO_TOUCH_MAX_POLLS = env_int("ZERO_TOUCH_MAX_POLLS", 60)
# Working days' notice a donor operator needs before a port date (operator key → days; the law's 1 otherwise).
PORTING_DONOR_NOTICE_DAYS: dict[str, int] = {}
# The operator's own SIM ranges (89 + 45 for Denmark + issuer id): a "SIM you already have" must be one of them.
OPERATOR_ICCID_PREFIXES = tuple(env_list("OPERATOR_ICCID_PREFIXES", ["894501", "894502", "894503"]))
# --- Security (docs/security.md) ---
# Proxies in front of the portal that append to X-Forwarded-For (0: the header is ignored).
TRUSTED_PROXY_COUNT = max(env_int("DJANGO_TRUSTED_PROXY_COUNT", 0), 0)
# A reset for an unknown address sends nothing (sign-up is closed; no link to invite anyone in).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# SIM PIN/PUK reveals per admin in a window (seconds); refusals are audited too.
SECRET_REVEAL_LIMIT = env_int("SECRET_REVEAL_LIMIT", 20)
SECRET_REVEAL_WINDOW = env_int("SECRET_REVEAL_WINDOW", 3600)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock at BEGIN and wait for it, instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"].update({"transaction_mode": "IMMEDIATE", "timeout": 20})
# Downloads are never cached (portal.middleware.NoStoreDownloadsMiddleware), whatever view sends them.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "portal.middleware.NoStoreDownloadsMiddleware",
)
