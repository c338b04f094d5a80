"""Settings, read from the environment.

With nothing set, everything runs on this machine: SQLite in WAL mode, a file-system
Celery broker and a file cache under GOVGRID_DATA_DIR. DATABASE_URL and REDIS_URL switch
the same code to PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envfloat(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str, data_dir: Path) -> dict:
    if not url:
        return sqlite_database(data_dir / "govgrid.sqlite3", test_name=data_dir / "test.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return sqlite_database(Path(unquote(parsed.path)))
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # 0 closes the connection after each request. Production's gunicorn workers serve
            # one request at a time each, so it sets 60 and keeps one connection per worker.
            "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", 0),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")


def sqlite_database(path: Path, test_name: Path | None = None) -> dict:
    database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one
        # failing half-way with "database is locked".
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
    if test_name:
        # A file, not memory, so that a Celery worker started by a test sees the same data.
        database["TEST"] = {"NAME": test_name}
    return database


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GOVGRID_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "govgrid-insecure-development-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "govgrid.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "axes",
    "accounts",
    "grids",
    "incidents",
    "patrols",
    "party",
    "volunteers",
    "emergency",
    "screening",
    "console",
    "mobile",
    "dashboard",
]

MIDDLEWARE = [
    # Outermost, so pages and the static files WhiteNoise serves in DEBUG leave compressed (a
    # phone in an old alley counts every kilobyte). In production WhiteNoise sends its own
    # pre-compressed files with Content-Encoding set, which this leaves alone. Django's version
    # pads each compressed response with random bytes ("Heal the BREACH"), so a page holding a
    # secret (the CSRF token) beside text an attacker chooses does not leak it through its size.
    "govgrid.middleware.GZipTextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govgrid.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govgrid.urls"
WSGI_APPLICATION = "govgrid.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", ""), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The dashboard's partial indexes carry extra columns for index-only scans on PostgreSQL;
# SQLite keeps them as plain partial indexes, which is all it needs at its size.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
# Failed logins are limited by django-axes (accounts/throttle.py), counted in the database.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/accounts/login/"
# A session lasts a working day in the offices; a phone logged in on /m/login/ keeps its
# session this many days after it was last used (a grid worker logs in once).
SESSION_COOKIE_AGE = envint("SESSION_HOURS", 12) * 3600
MOBILE_SESSION_DAYS = envint("MOBILE_SESSION_DAYS", 30)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Failed logins allowed per user name from one address, and from one address for any user name,
# within the window; past either, that pair (or that address) waits for the window to pass.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", 900)
# On behind exactly one reverse proxy that appends the client's address to X-Forwarded-For.
TRUSTED_PROXY = envbool("TRUSTED_PROXY", False)
AXES_HANDLER = "accounts.throttle.LoginAttempts"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "accounts.throttle.failure_limit"
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out are refused unchecked and not counted, so they do not prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
PHOTO_MAX_COUNT = envint("PHOTO_MAX_COUNT", 9)
# Checked from the header before a photo is decoded: a small file can unpack into a huge image.
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = PHOTO_MAX_BYTES

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "govgrid <noreply@govgrid.local>")
# A notification's mail is tried this many times (the task's retries and the sweep's together).
EMAIL_MAX_ATTEMPTS = envint("EMAIL_MAX_ATTEMPTS", 5)
# A mail claimed this long ago and neither sent nor failed had a sender that died: try again.
EMAIL_CLAIM_SECONDS = envint("EMAIL_CLAIM_SECONDS", 300)

# Security: these hold when DEBUG is off, which is how production runs.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "govgrid.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "govgrid.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "govgrid API",
    "DESCRIPTION": "Grid-based community governance: incidents, grids, workers and measures.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.workflow.Status.CHOICES",
        "IncidentActionEnum": "incidents.workflow.Action.CHOICES",
        "TimeUnitEnum": "incidents.timelimits.TimeUnit.choices",
        "VolunteerActivityKindEnum": "volunteers.api.ACTIVITY_KINDS",
    },
    # Requests and responses get components of their own: a photo is a file going in, a URL coming out.
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery. The file-system broker needs no server; REDIS_URL replaces it with Redis.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "socket_timeout": 5}
    if REDIS_URL
    else {
        "data_folder_in": str(DATA_DIR / "celery" / "queue"),
        "data_folder_out": str(DATA_DIR / "celery" / "queue"),
        "processed_folder": str(DATA_DIR / "celery" / "processed"),
        # Where the broadcast exchanges live; kombu's default is ./control in the working directory.
        "control_folder": str(DATA_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
if not REDIS_URL:
    for folder in ("queue", "processed"):
        (DATA_DIR / "celery" / folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must not hang when the broker is down: publishing fails fast and the event
# sweep picks the work up later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# The hour (town time) of the working day's "no patrol yet" reminder to the command centre.
PATROL_REMINDER_HOUR = envint("PATROL_REMINDER_HOUR", 16)
CELERY_BEAT_SCHEDULE = {
    "mark-deadlines": {"task": "incidents.tasks.mark_deadlines", "schedule": envint("DEADLINE_SWEEP_SECONDS", 120)},
    "sweep-events": {"task": "incidents.tasks.sweep_events", "schedule": envint("EVENT_SWEEP_SECONDS", 60)},
    # Every morning: the national holidays a newer chinese-calendar knows, and from 1 December a
    # reminder to the administrators while next year's are unknown.
    "watch-calendar": {"task": "incidents.tasks.watch_calendar", "schedule": crontab(hour=7, minute=30)},
    # Every morning: suspended cases whose review date has come, to the command centre.
    "remind-suspended": {"task": "incidents.tasks.remind_suspended", "schedule": crontab(hour=8, minute=0)},
    # On working days at PATROL_REMINDER_HOUR: the grid workers with no patrol yet, to the command centre.
    "remind-patrols": {"task": "patrols.tasks.remind_missing", "schedule": crontab(hour=PATROL_REMINDER_HOUR, minute=0)},
    # After midnight: patrols left running from the day before, ended at their last position.
    "close-forgotten-patrols": {"task": "patrols.tasks.close_forgotten", "schedule": crontab(hour=0, minute=20)},
    # Every morning; on the month's first working day only: in-service party members behind
    # the check-in rule, and a summary to each employer.
    "remind-party-checkins": {"task": "party.tasks.remind_behind", "schedule": crontab(hour=8, minute=30)},
    # The dashboard's daily counts: each past day once it has ended, and any changed day whose
    # refresh was lost with the broker.
    "sum-days": {"task": "incidents.tasks.sum_days", "schedule": envint("ROLLUP_SWEEP_SECONDS", 600)},
}
# An event left unprocessed this long is taken to have lost its message.
EVENT_SWEEP_AFTER_SECONDS = envint("EVENT_SWEEP_AFTER_SECONDS", 30)

# Working time, for deadlines counted in working hours or working days.
WORKDAY_PERIODS = [("08:30", "12:00"), ("13:30", "18:00")]
# Stage limits of the standard, in minutes of working time (continuous for a category timed in
# urgent hours). An administrator changes them, for the town or one category, as stage limits.
STAGE_LIMIT_MINUTES = {"accept": 15, "dispatch": 15, "inspect": 30}
WARNING_FRACTION = 0.8
# Supervision cards the deadline watch issues on handling: ordinary once overdue, yellow once
# overdue by more than this share of the limit, red once this multiple of the limit has passed
# or after this many failed inspections.
CARD_YELLOW_OVERDUE_FRACTION = envfloat("CARD_YELLOW_OVERDUE_FRACTION", 0.5)
CARD_RED_LIMIT_MULTIPLE = envfloat("CARD_RED_LIMIT_MULTIPLE", 2.0)
CARD_RED_REWORKS = envint("CARD_RED_REWORKS", 2)
# A closed case found back within this many days is reopened rather than reported anew.
REOPEN_DAYS = envint("REOPEN_DAYS", 7)
# A report farther than this from every grid is refused as a slip of the map or a stale GPS fix;
# one nearer, but outside every grid, is taken and routed by hand.
REPORT_MAX_METRES_OUTSIDE = envint("REPORT_MAX_METRES_OUTSIDE", 5000)

# Patrols (巡查). Positions less accurate than this are dropped; a position nearer than
# PATROL_THIN_METRES to the previous one kept adds nothing but GPS jitter and is dropped too.
PATROL_MAX_ACCURACY_M = envfloat("PATROL_MAX_ACCURACY_M", 50)
PATROL_THIN_METRES = envfloat("PATROL_THIN_METRES", 5)
# Coverage: the share of a grid's area within this distance of the day's tracks.
PATROL_COVERAGE_METRES = envfloat("PATROL_COVERAGE_METRES", 30)
# A check-in at a compound is taken within this distance of it.
PATROL_CHECKIN_RADIUS_M = envint("PATROL_CHECKIN_RADIUS_M", 150)
# Positions in one batch, at most: a day offline at one every few seconds.
PATROL_MAX_POINTS = envint("PATROL_MAX_POINTS", 5000)
# PATROL_REMINDER_HOUR is with the beat schedule.

# Check-ins at a grid asked of each in-service party member (在职党员) per calendar year.
PARTY_CHECKINS_PER_YEAR = envint("PARTY_CHECKINS_PER_YEAR", 2)

# Screening register (摸排): the days after arrival on which a registered person is followed up.
SCREENING_FOLLOW_UP_DAYS = sorted({int(day) for day in envlist("SCREENING_FOLLOW_UP_DAYS", "1,3,7,14")})

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (34.09, 119.35),
    "DEFAULT_ZOOM": 14,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    "TILES": [(os.environ.get("MAP_TILES_NAME", "OpenStreetMap"), os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"), {"attribution": os.environ.get("MAP_TILES_ATTRIBUTION", "© OpenStreetMap")})],
    "RESET_VIEW": False,
}
# WGS-84 for Tianditu and OpenStreetMap; GCJ-02 for Gaode/AMap and Tencent tiles.
MAP_COORDINATE_SYSTEM = os.environ.get("MAP_COORDINATE_SYSTEM", "wgs84")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Axes says "login failed" at INFO for every wrong password; lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
