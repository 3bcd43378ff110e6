"""Threadline settings, read from environment variables.

`THREADLINE_ENV` is `local` (default: the demo on SQLite), `test` or `production`.
Production refuses to start with DEBUG on, without a real SECRET_KEY and audit key, or
with MFA turned off.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("THREADLINE_VAR_DIR", PROJECT_DIR / "var"))

_INSECURE_DEFAULT = "insecure-local-only-key-do-not-use-in-production"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# pytest sets PYTEST_VERSION while it runs, so the suite always gets test settings.
ENVIRONMENT = env_str("THREADLINE_ENV", "test" if "PYTEST_VERSION" in os.environ else "local")
if ENVIRONMENT not in {"local", "test", "production"}:
    raise ImproperlyConfigured(
        f"THREADLINE_ENV must be local, test or production, not {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", ENVIRONMENT == "local")
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_DEFAULT)
# The audit chain's HMAC key lives outside the database (see docs/security.md).
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY", _INSECURE_DEFAULT)
# Where `threadline audit anchor` appends the chain head: append-only storage outside
# the database administrator's reach in production.
AUDIT_ANCHOR_PATH = env_str("AUDIT_ANCHOR_PATH", str(VAR_DIR / "audit-anchors.log"))
# Every account needs a second factor (TOTP) unless marked `mfa_exempt`, as the demo
# accounts are; production ignores exemptions and refuses to run without MFA.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
    for _name, _value in (("SECRET_KEY", SECRET_KEY), ("AUDIT_HMAC_KEY", AUDIT_HMAC_KEY)):
        if _value == _INSECURE_DEFAULT or len(_value) < 50:
            raise ImproperlyConfigured(f"Set {_name} to a random value of 50 characters or more.")
    if not MFA_REQUIRED:
        raise ImproperlyConfigured("MFA_REQUIRED cannot be turned off in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as our own static files (CSP: self)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "threadline.common",
    "threadline.agencies",
    "threadline.people",
    "threadline.cases",
    "threadline.sharing",
    "threadline.audit",
    "threadline.timescales",
    "threadline.notices",
    "threadline.referrals",
    "threadline.chronology",
    "threadline.risks",
    "threadline.orders",
    "threadline.meetings",
    "threadline.reviews",
    "threadline.linkage",
    "threadline.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "threadline.web.middleware.renew_idle_limit",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): second factor done
    "threadline.web.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "threadline.urls"
# Widgets render from our templates (GOV.UK markup) before Django's defaults.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "threadline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "threadline.notices.context_processors.inbox",
            ],
        },
    },
]

# SQLite under var/ by default; DATABASE_URL=postgres://… selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'threadline.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection is checked before a request reuses it: after a database
        # restart the request opens a new one instead of failing on the dead one.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue
    # instead of failing, and the audit chain is written in order.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the access policy's nested EXISTS filters carry cost estimates
    # far above the real cost, and PostgreSQL's JIT (on by default) then spent 0.5–3 s
    # compiling searches and the dashboard's list that run in milliseconds (docs/
    # benchmarks.md, "Load").
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    # Prepared statements: the parameters travel apart from the SQL, so a query run
    # again on a kept connection (every page's person check, whoever asks) reuses its
    # plan. Planning the policy's nested filters cost more than running them (2.9 ms
    # against 0.4 ms for the person check; docs/benchmarks.md, "Chronology"). Behind a
    # pooler in transaction mode, which cannot keep a connection's prepared statements,
    # set DATABASE_PREPARE_THRESHOLD=0 to send every query whole.
    _prepare = env_int("DATABASE_PREPARE_THRESHOLD", 2)
    if _prepare:
        _options |= {"server_side_binding": True, "prepare_threshold": _prepare}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "agencies.Practitioner"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Django's ModelBackend, refusing a (username, address) pair that has failed too often.
AUTHENTICATION_BACKENDS = ["threadline.web.backends.LockoutBackend"]
# After LOCKOUT_ATTEMPTS failed passwords or codes for one username from one address
# within LOCKOUT_MINUTES, that pair is refused for LOCKOUT_MINUTES.
LOCKOUT_ATTEMPTS = env_int("LOCKOUT_ATTEMPTS", 5)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 15)
OTP_TOTP_ISSUER = "Threadline"  # the name authenticator apps show beside the code

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Argon2 is deliberately slow; the suite signs in hundreds of times.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# NCSC: length over complexity; block common passwords; no forced composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# The idle limit: a signed-in session is saved, so extended, at most once a minute
# (web.middleware.renew_idle_limit), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)  # however active, then sign in again
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j N Y"

STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(VAR_DIR / "static")) if PRODUCTION else None
# Outside production, WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "threadline.web.storage.StaticStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Email (docs/notices.md): the console locally (the in-memory outbox in tests), SMTP in
# production, or GOV.UK Notify with EMAIL_BACKEND=threadline.notices.backends.NotifyEmailBackend.
_MAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
# Seconds before a mail server or Notify that does not answer counts as a failed attempt;
# keep it well under NOTICE_DELIVERY_LEASE_SECONDS.
_MAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
_MAIL_OPTIONS: dict[str, dict] = {
    "django.core.mail.backends.smtp.EmailBackend": {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": _MAIL_TIMEOUT,
    },
    "django.core.mail.backends.filebased.EmailBackend": {
        "file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail")),
    },
    "threadline.notices.backends.NotifyEmailBackend": {
        "api_key": env_str("NOTIFY_API_KEY", ""),
        "template_id": env_str("NOTIFY_TEMPLATE_ID", ""),
        "base_url": env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        "timeout": _MAIL_TIMEOUT,
    },
}
if _MAIL_BACKEND.endswith("NotifyEmailBackend") and not (
    os.environ.get("NOTIFY_API_KEY") and os.environ.get("NOTIFY_TEMPLATE_ID")
):
    raise ImproperlyConfigured(
        "The Notify email backend needs NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID."
    )
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS.get(_MAIL_BACKEND, {})}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "threadline@localhost")
# A failed email is tried again after NOTICE_RETRY_BASE_SECONDS, doubling each time up to
# NOTICE_RETRY_MAX_SECONDS, for as long as it takes. A worker holds an email it is sending
# for NOTICE_DELIVERY_LEASE_SECONDS; if it dies, another worker sends it after that.
NOTICE_RETRY_BASE_SECONDS = env_int("NOTICE_RETRY_BASE_SECONDS", 60)
NOTICE_RETRY_MAX_SECONDS = env_int("NOTICE_RETRY_MAX_SECONDS", 30 * 60)
NOTICE_DELIVERY_LEASE_SECONDS = env_int("NOTICE_DELIVERY_LEASE_SECONDS", 5 * 60)
if NOTICE_DELIVERY_LEASE_SECONDS <= _MAIL_TIMEOUT:
    raise ImproperlyConfigured("NOTICE_DELIVERY_LEASE_SECONDS must be longer than EMAIL_TIMEOUT.")

# An API write sent with an Idempotency-Key holds the key while it runs; a claim still
# unfinished after this long belongs to a worker that died, and a retry takes it over.
# Keep it longer than any request may run (gunicorn's --timeout, 30 s by default).
IDEMPOTENCY_ABANDONED_SECONDS = env_int("IDEMPOTENCY_ABANDONED_SECONDS", 5 * 60)

# Working hours for escalation (timescales/calendar.py), Europe/London.
WORKING_DAY_START = dt.time(env_int("WORKING_DAY_START_HOUR", 9))
WORKING_DAY_END = dt.time(env_int("WORKING_DAY_END_HOUR", 17))
# Days the local authority is closed besides weekends and bank holidays (ISO dates,
# comma-separated): they are not working days for any statutory timescale.
LOCAL_CLOSURE_DAYS = frozenset(
    dt.date.fromisoformat(day) for day in env_list("LOCAL_CLOSURE_DAYS", [])
)
# Statutory-clock figures local procedures change (timescales/rules.py names them):
# CLOCK_FIGURES=SUPERVISION_ORDER_REVIEW_MONTHS=2,LEGAL_MEMORANDUM_WORKING_DAYS=10
CLOCK_FIGURES = {
    name.strip(): int(value)
    for name, _, value in (item.partition("=") for item in env_list("CLOCK_FIGURES", []))
}
# A notice not acknowledged within this many working hours escalates to the recipient
# agency's safeguarding lead.
NOTICE_ACKNOWLEDGE_WORKING_HOURS = env_int("NOTICE_ACKNOWLEDGE_WORKING_HOURS", 8)

TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND",
            "django.tasks.backends.immediate.ImmediateBackend"
            if ENVIRONMENT == "test"
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "threadline.common.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Threadline API",
    # The schema and docs describe case-data operations: signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "DESCRIPTION": "Multi-agency child safeguarding: people, networks and cases.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Enums as components (the default hook), then the 503 every operation may answer.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "threadline.common.api.document_database_unavailable",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs' scripts and styles come from our own static files, not a CDN (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets share the field name `kind`; name their schema enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "PersonKindEnum": "threadline.people.models.PersonKind",
        "NameKindEnum": "threadline.people.models.NameKind",
        # `category` and an agreement's `categories` are the same choice set.
        "InformationCategoryEnum": "threadline.sharing.models.InformationCategory",
        # A referral's `categories` are categories of concern.
        "ConcernCategoryEnum": "threadline.referrals.models.ConcernCategory",
        "RiskStatusEnum": "threadline.risks.models.RiskStatus",
        # Orders and the clock: a plan's category, an order's end reason (read and sent),
        # a task's status, and the clock's events (all, and those recorded by hand).
        "PlanCategoryEnum": "threadline.orders.models.PlanCategory",
        "EndReasonEnum": "threadline.orders.models.EndReason",
        "TaskStatusEnum": "threadline.timescales.models.TaskStatus",
        "EventKindEnum": "threadline.timescales.models.EventKind",
        "RecordedByHandEnum": "threadline.timescales.serializers.HAND_KINDS",
        # A meeting's status (arranged, held, cancelled).
        "MeetingStatusEnum": "threadline.meetings.models.MeetingStatus",
        # Why a placement ended (read as `end_reason`, sent as `reason`).
        "PlacementEndReasonEnum": "threadline.meetings.models.PlacementEndReason",
        # Case reviews: a review's, an agency report's and an action's status; a panel
        # seat's role beside a practitioner's.
        "ReviewStatusEnum": "threadline.reviews.models.ReviewStatus",
        "ReportStatusEnum": "threadline.reviews.models.ReportStatus",
        "ActionStatusEnum": "threadline.reviews.models.ActionStatus",
        "PanelRoleEnum": "threadline.reviews.models.PanelRole",
        "RoleEnum": "threadline.agencies.models.Role",
        # A referral's decision keeps its name beside identity resolution's decisions.
        "DecisionEnum": "threadline.referrals.models.Decision",
        # Identity resolution: a pair's status, a decider's decision, the model's.
        "MatchStatusEnum": "threadline.linkage.models.MatchStatus",
        "MatchDecisionEnum": "threadline.linkage.serializers.DECISIONS",
        "ModelDecisionEnum": "threadline.linkage.serializers.MODEL_DECISIONS",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Demo sign-ins share one password; `threadline demo` refuses to run in production.
DEMO_PASSWORD = "threadline-demo"  # noqa: S105 (published in the README; demo only)
