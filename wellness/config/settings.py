"""The one settings module: every difference between a laptop and production is an environment variable.

With no configuration Wellverse runs embedded: SQLite, an in-process channel layer and Celery tasks
executed in-process. ``DATABASE_URL`` moves the record to PostgreSQL; ``REDIS_URL`` moves the channel
layer, the cache and the Celery broker to Redis so several server and worker processes can share them.
The README's configuration table lists every variable read here.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from wellness.config.keyfile import secret_key_from_file

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG: bool = env.bool("DEBUG", default=False)

VAR_DIR = Path(env.str("WELLVERSE_VAR_DIR", default=str(BASE_DIR / "var")))

_secret_key: str | None = env.str("SECRET_KEY", default=None)
if not _secret_key:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Development only: one generated key shared by every process (and restart) of this var directory.
    _secret_key = secret_key_from_file(VAR_DIR / "secret_key")
SECRET_KEY: str = _secret_key
# Earlier secret keys, still accepted while what they signed or derived is replaced (README).
SECRET_KEY_FALLBACKS: list[str] = env.list("SECRET_KEY_FALLBACKS", default=[])

# Keys of the fields encrypted at rest (consultation notes): the first encrypts, all decrypt
# (django-fernet-encrypted-fields derives each Fernet key from SECRET_KEY and one of these).
_field_keys: list[str] = env.list("WELLVERSE_FIELD_ENCRYPTION_KEYS", default=[])
if not _field_keys:
    if not DEBUG:
        raise ImproperlyConfigured(
            "WELLVERSE_FIELD_ENCRYPTION_KEYS must be set when DEBUG is off; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
    # Development only: a fixed key, so development data stays readable across restarts.
    _field_keys = ["wellverse-development-field-key-never-use-in-production"]
WELLVERSE_FIELD_ENCRYPTION_KEYS: list[str] = _field_keys
SALT_KEY: list[str] = _field_keys

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "wellness",
    "wellness.classes",
    "wellness.care",
    "challenges",
    "devices",
    "worlds",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user.otp_device once the session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in the lockout refused into its answer (wellness.people.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wellness.config.urls"
ASGI_APPLICATION = "wellness.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_POOL_MAX_SIZE: int = env.int("DATABASE_POOL_MAX_SIZE", default=20)
# HTTP requests one server process works on at once; more are answered 503 with Retry-After at
# once (wellness/core/overload.py). Each holds at most one pooled connection, and the pool keeps
# 4 for sockets and background loops, so the pool's timeout never refuses a request. 0: no limit.
WELLVERSE_MAX_REQUESTS_IN_FLIGHT: int = env.int(
    "WELLVERSE_MAX_REQUESTS_IN_FLIGHT", default=max(1, DATABASE_POOL_MAX_SIZE - 4)
)
WELLVERSE_OVERLOAD_RETRY_AFTER_SECONDS: int = env.int(
    "WELLVERSE_OVERLOAD_RETRY_AFTER_SECONDS", default=1
)
if env.str("DATABASE_URL", default=""):
    _database = env.db_url("DATABASE_URL")
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # psycopg's pool rather than persistent connections: under ASGI every request may run on a
        # different thread, and a pool is the supported way to reuse connections there.
        _database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
            # Connections past min_size idle this long are closed: a burst's connections go back to
            # PostgreSQL within a minute (psycopg's default keeps them ten).
            "max_idle": env.float("DATABASE_POOL_MAX_IDLE", default=60.0),
        }
        _database["CONN_MAX_AGE"] = 0
        # No JIT: every query here is short, and compiling one costs more than running it
        # (the scoring_pipeline benchmark). A DATABASE_URL that sets jit keeps its choice.
        server_options = _database["OPTIONS"].get("options", "")
        if "jit" not in server_options:
            _database["OPTIONS"]["options"] = f"{server_options} -c jit=off".strip()
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "wellverse.sqlite3"),
        "OPTIONS": {
            # WAL lets the server, the in-process tasks and a management command read while one writes;
            # IMMEDIATE takes the write lock up front instead of failing half-way with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "wellness.User"

# --- Redis: channel layer, cache, Celery --------------------------------------------------------
REDIS_URL: str = env.str("REDIS_URL", default="")
# redis-py's asyncio pool refuses connections past 100 by default; a busy server process
# publishing to many groups needs more.
REDIS_MAX_CONNECTIONS: int = env.int("REDIS_MAX_CONNECTIONS", default=1000)

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer: group fan-out measured ~6x faster than the list-based layer here.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "max_connections": REDIS_MAX_CONNECTIONS}],
                "prefix": env.str("CHANNELS_PREFIX", default="wellverse"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "wellverse",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without Redis there is no worker to hand tasks to: run them in-process, right where they are queued.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # acks_late relies on redelivery after the visibility timeout; keep it above the hard time limit.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="wellverse")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"

# --- Auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
# The lockout backend first: it refuses a locked account before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# The issuer an authenticator app shows beside the account.
OTP_TOTP_ISSUER: str = env.str("WELLVERSE_TOTP_ISSUER", default="Wellverse")


# Passkeys (WebAuthn) as a second factor: the relying party a credential is bound to.
def webauthn_rp_id_default(trusted_origins: list[str], allowed_hosts: list[str]) -> str:
    """The host of the first trusted origin, else the first named allowed host, else localhost."""
    for origin in trusted_origins:
        host = urlsplit(origin.replace("*.", "")).hostname
        if host:
            return host
    for entry in allowed_hosts:
        name = entry.lstrip(".")
        if name and name != "*" and not name.startswith("[") and not name[0].isdigit():
            return name
    return "localhost"


WEBAUTHN_RP_ID: str = env.str(
    "WELLVERSE_WEBAUTHN_RP_ID",
    default=webauthn_rp_id_default(CSRF_TRUSTED_ORIGINS, ALLOWED_HOSTS),
)
WEBAUTHN_RP_NAME: str = env.str("WELLVERSE_WEBAUTHN_RP_NAME", default=OTP_TOTP_ISSUER)

# --- Client address: X-Forwarded-For is believed only from our own proxies ---------------------
# Addresses or networks of the reverse proxies in front of the server (e.g. 10.0.0.0/8).
TRUSTED_PROXIES: list[str] = env.list("TRUSTED_PROXIES", default=[])
WELLVERSE_TRUSTED_PROXY_NETWORKS = tuple(
    ipaddress.ip_network(entry, strict=False) for entry in TRUSTED_PROXIES
)
# Without TRUSTED_PROXIES: how many proxies stand in front (0: X-Forwarded-For is ignored).
NUM_PROXIES: int = env.int("NUM_PROXIES", default=0)

# --- Sign-in lockout per account (django-axes; wellness/people/lockout.py) ---------------------
AXES_FAILURE_LIMIT: int = env.int("WELLVERSE_LOCKOUT_FAILURES", default=10)
# The first lock's length; each further lock of the account within the back-off window doubles
# it, up to the cap (wellness/people/lockout.py decides the length per attempt).
WELLVERSE_LOCKOUT_COOL_OFF = timedelta(minutes=env.int("WELLVERSE_LOCKOUT_MINUTES", default=15))
WELLVERSE_LOCKOUT_MAX_COOL_OFF = timedelta(
    minutes=env.int("WELLVERSE_LOCKOUT_MAX_MINUTES", default=24 * 60)
)
WELLVERSE_LOCKOUT_BACKOFF_WINDOW = timedelta(
    hours=env.int("WELLVERSE_LOCKOUT_BACKOFF_HOURS", default=24)
)
AXES_COOLOFF_TIME = "wellness.people.lockout.lockout_cool_off"
# Each attempt expires on its own (its account's lock length), not by the length of whichever
# account's attempt happens to clean up the table.
AXES_USE_ATTEMPT_EXPIRATION = True
# Every attempt while locked restarts the wait, so guessing on never gets through.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
# Per account from any address, and per address across accounts (a spray under the throttle).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Failures are kept (until the lock expires); successful sign-ins are not logged.
AXES_DISABLE_ACCESS_LOG = True
AXES_HANDLER = "wellness.people.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "wellness.core.clientip.request_client_address"
AXES_USERNAME_CALLABLE = "wellness.people.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "wellness.people.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429

# --- Email (the lockout notice) -------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="Wellverse <wellverse@localhost>")

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# The Vite build of the web UI (`npm --prefix frontend run build`, run by `make run` and `make test`).
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "wellness.people.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["wellness.people.permissions.IsAuthenticatedForApi"],
    "DEFAULT_PAGINATION_CLASS": "wellness.core.rest.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "wellness.core.rest.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("WELLVERSE_THROTTLE_AUTH", default="10/minute"),
        "invitations": env.str("WELLVERSE_THROTTLE_INVITATIONS", default="30/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles key on wellness.core.clientip; DRF's own fallback must not read X-Forwarded-For.
    "NUM_PROXIES": 0,
}
API_MAX_PAGE_SIZE = 100

SPECTACULAR_SETTINGS = {
    "TITLE": "Wellverse API",
    "DESCRIPTION": (
        'Every error is a JSON object `{"error": {"code", "message", "fields"}}`; '
        "see the README's *API conventions*."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, so clients get stable enum names (and `check --deploy` stays quiet).
    "ENUM_NAME_OVERRIDES": {
        "TokenScopeEnum": "wellness.models.TokenScope",
        "WorkoutSportEnum": "wellness.models.Sport",
        "WorkoutStatusEnum": "wellness.models.WorkoutStatus",
        "AvatarSportEnum": ["run", "walk", "ride"],
        "AvatarSessionStatusEnum": "worlds.models.SessionStatus",
        "MembershipStatusEnum": "challenges.models.MembershipStatus",
        "ParticipantStatusEnum": "challenges.models.ParticipantStatus",
        "ContributionStatusEnum": "challenges.models.ContributionStatus",
        "KindEnum": "wellness.classes.models.ClassKind",
        "CareOrganisationKindEnum": "wellness.care.models.OrganisationKind",
        "CareRelationshipStatusEnum": "wellness.care.models.RelationshipStatus",
        "RehabPositionEnum": ["seated", "standing"],
        "RehabProgramStatusEnum": "wellness.care.models.ProgramStatus",
        "RehabSessionStatusEnum": "wellness.care.models.RehabSessionStatus",
        "RehabBodyRegionEnum": "wellness.care.models.BodyRegion",
        "RehabEquipmentEnum": "wellness.care.models.Equipment",
    },
}

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style: everything the pages run is a file from here; a template that must
# inline a script gets a nonce (``request.csp_nonce``). Violations are reported to /csp-report/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": "/csp-report/",
    }
}
# Powerful browser features: only Bluetooth (sensors, the companion), fullscreen, and the camera and
# microphone (the consultation room), same origin.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": ["self"],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": ["self"],
    "payment": [],
    "serial": [],
    "usb": [],
    "bluetooth": ["self"],
    "fullscreen": ["self"],
}
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP by process supervisors and load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Uploads --------------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=16 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=16 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Ingest limits (documented in devices/README.md and the README) -----------------------------
WELLVERSE_MAX_SAMPLES_PER_BATCH: int = env.int("WELLVERSE_MAX_SAMPLES_PER_BATCH", default=10_000)
WELLVERSE_SYNC_MAX_BYTES: int = env.int("WELLVERSE_SYNC_MAX_BYTES", default=4 * 1024 * 1024)
# Per live socket: a token bucket of this many messages per second with this burst, generous
# enough for a reconnecting bridge replaying its journal, tight enough to stop a runaway client.
WELLVERSE_INGEST_MESSAGES_PER_SECOND: float = env.float(
    "WELLVERSE_INGEST_MESSAGES_PER_SECOND", default=50.0
)
WELLVERSE_INGEST_MESSAGE_BURST: int = env.int("WELLVERSE_INGEST_MESSAGE_BURST", default=500)
# Every other socket (notifications, worlds, classes): people click and share heart rate once a
# second, so a much smaller bucket.
WELLVERSE_SOCKET_MESSAGES_PER_SECOND: float = env.float(
    "WELLVERSE_SOCKET_MESSAGES_PER_SECOND", default=5.0
)
WELLVERSE_SOCKET_MESSAGE_BURST: int = env.int("WELLVERSE_SOCKET_MESSAGE_BURST", default=30)

# --- Consultation rooms (the README's "Consultations: ICE servers and coturn") --------------------
# STUN and TURN URLs the browsers of a room use; TURN credentials are made per person from the
# secret shared with coturn (``use-auth-secret``) and expire after WELLVERSE_TURN_CREDENTIAL_SECONDS.
WELLVERSE_STUN_URLS: list[str] = env.list("WELLVERSE_STUN_URLS", default=[])
WELLVERSE_TURN_URLS: list[str] = env.list("WELLVERSE_TURN_URLS", default=[])
WELLVERSE_TURN_SECRET: str = env.str("WELLVERSE_TURN_SECRET", default="")
WELLVERSE_TURN_CREDENTIAL_SECONDS: int = env.int(
    "WELLVERSE_TURN_CREDENTIAL_SECONDS", default=4 * 3600
)

# --- Scoring (wellness/scoring/SCORING.md) -----------------------------------------------------------------
# Workouts scored per transaction by the scoring task (~0.5 s a chunk of one-hour workouts: the
# hand-off's fixed statements, the announcement send and the commit are paid once per 500).
WELLVERSE_SCORING_CHUNK: int = env.int("WELLVERSE_SCORING_CHUNK", default=500)
# Every this many seconds the server queues the scoring drain again for workouts that have waited
# longer than that: a lost task delays a score by about this, not the visibility timeout.
WELLVERSE_SCORING_RECOVERY_SECONDS: float = env.float(
    "WELLVERSE_SCORING_RECOVERY_SECONDS", default=60.0
)
# Threads numpy's BLAS may use per process. Scale-out is one process per core; BLAS threads on a
# busy machine made a ten-hour workout's scoring 50x slower per hour than a one-hour one's.
WELLVERSE_BLAS_THREADS: int = env.int("WELLVERSE_BLAS_THREADS", default=1)
# A community organizer may grant the instructor role only in a community with at least this many
# active members, unless an administrator verified them (README, "Instructors").
INSTRUCTOR_GRANT_MIN_MEMBERS: int = env.int("INSTRUCTOR_GRANT_MIN_MEMBERS", default=10)
# An access-log entry written on its own commits without waiting for the WAL flush unless true.
WELLVERSE_AUDIT_SYNCHRONOUS_COMMIT: bool = env.bool(
    "WELLVERSE_AUDIT_SYNCHRONOUS_COMMIT", default=False
)
# Consultation notes an organisation's clinician wrote in the last N days survive the patient's
# health-data erasure (0: every note is erased with the rest).
WELLVERSE_CARE_NOTES_RETENTION_DAYS: int = env.int("WELLVERSE_CARE_NOTES_RETENTION_DAYS", default=0)

# --- Activity files, leaderboards, worlds ---------------------------------------------------------
WELLVERSE_IMPORT_MAX_BYTES: int = env.int("WELLVERSE_IMPORT_MAX_BYTES", default=32 * 1024 * 1024)
# A world's GPX file: a day of one-second track points is ~10 MB.
WORLDS_GPX_MAX_BYTES: int = env.int("WORLDS_GPX_MAX_BYTES", default=16 * 1024 * 1024)
# Redis key prefix of the leaderboards, to share one Redis between installations.
LEADERBOARDS_PREFIX: str = env.str("LEADERBOARDS_PREFIX", default="wellverse:lb")
# Seconds between two frames a world sends its spectators.
WORLDS_TICK_SECONDS: float = env.float("WORLDS_TICK_SECONDS", default=1.0)
# Names this process's spectator group, so another process can address its spectators; random if unset.
WORLDS_PROCESS_TOKEN: str = env.str("WORLDS_PROCESS_TOKEN", default="")
# Without Redis a separate ``manage.py worlds_live`` never hears the ingest: tick worlds in the server.
WELLVERSE_WORLDS_LIVE_IN_SERVER: bool = env.bool("WELLVERSE_WORLDS_LIVE_IN_SERVER", default=False)
