"""One settings module, driven by environment variables.

SQLite in ./var/ by default; PostgreSQL (or any database) when DATABASE_URL is set.
"""

import ipaddress
import os
import re
import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("REGISTRY_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Chưa đặt biến môi trường SECRET_KEY. Khi chạy thật (DEBUG tắt) phải đặt SECRET_KEY "
            "là một chuỗi ngẫu nhiên, bí mật."
        )
    # Development only: DEBUG is on, nothing here is ever served in production.
    SECRET_KEY = "dev-only-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Printed in QR codes on certificates: where the public verification page lives.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "registry.apps.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "simple_history",
    "registry.apps.AxesConfig",
    "csp",
    "django_ratelimit",
    # Before the task apps: registry's db_worker (the same worker, with a heartbeat) wins.
    "registry",
    "django_tasks",
    "registry.apps.TasksDatabaseConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Deployment: static files from the application server itself (no web server config for
    # /static/), then one log line per request (registry.requests). Static files are not logged.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "registry.requestlog.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Who changed what: the request's user goes into every history record.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Locks out repeated failed logins; last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one user name from one address lock that pair out for 30 minutes:
# a stranger guessing a name locks out only their own address, never the user everywhere.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registry/lockout.html"
# The client's real address: X-Forwarded-For is believed only when it comes from one of these
# proxies (IPs or CIDRs); otherwise anyone could pick the address their failures count against.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: “{_proxy}” không phải địa chỉ IP hay dải mạng (CIDR) hợp lệ."
        ) from _error
AXES_CLIENT_IP_CALLABLE = "registry.clientip.client_ip"

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'registry.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Waits for a concurrent writer instead of failing at once; IMMEDIATE takes the write lock
    # at BEGIN so that two clerks issuing at the same moment queue up rather than deadlock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

# The public verification page's one query is prepared once per PostgreSQL connection. Behind a
# connection pooler in transaction mode that cannot keep prepared statements (PgBouncer before
# 1.21), set DATABASE_PREPARED_STATEMENTS=0.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    DATABASE_PREPARED_STATEMENTS
):
    # And every query a connection runs a second time: with the parameters bound on the server,
    # psycopg prepares it, and PostgreSQL plans a page's queries once per connection instead of
    # on every request (planning was up to three quarters of a clerk page's query time).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "registry" / "locale"]
FORMAT_MODULE_PATH = ["registry.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Scans and print batches: private to their office. No URL serves this folder; the storage
# links every file to the view that checks login, office and role (registry.views.files).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "registry.storage.PrivateFileStorage"},
    # WhiteNoise serves STATIC_ROOT (after collectstatic) with gzip copies made at collect time.
    # Not the manifest storage: file names stay as the templates write them, so a page never
    # fails for want of a manifest entry; browsers revalidate after WHITENOISE_MAX_AGE.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Once the view has said yes, the web server may send the bytes: "" (Django sends them),
# "X-Accel-Redirect" (nginx, to REGISTRY_SENDFILE_PREFIX, an `internal` location on MEDIA_ROOT)
# or "X-Sendfile" (Apache mod_xsendfile, the path on disk).
REGISTRY_SENDFILE_HEADER = os.environ.get("REGISTRY_SENDFILE_HEADER", "").strip()
if REGISTRY_SENDFILE_HEADER not in {"", "X-Accel-Redirect", "X-Sendfile"}:
    raise ImproperlyConfigured(
        "REGISTRY_SENDFILE_HEADER chỉ nhận một trong: để trống, X-Accel-Redirect, X-Sendfile."
    )
REGISTRY_SENDFILE_PREFIX = os.environ.get("REGISTRY_SENDFILE_PREFIX", "/_tep_rieng/")

# Every page: scripts and styles from this site only. Inline styles stay allowed because the
# registry's own templates use style attributes and <style> blocks; inline scripts do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# A document attached to a unit's proposal (PDF, image, .docx, .xlsx): refused above this size.
PROPOSAL_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("PROPOSAL_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)

# Spreadsheet imports: refuse larger files and longer lists before reading them.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))
# Bounds on what a file may make the reader do, whatever it claims about itself: unpacked
# size, parts in the zip, columns read per row (a list's last header column is well before
# this), characters in one cell (Excel's own limit) and text in the whole file.
IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(10 * IMPORT_MAX_BYTES))
)
IMPORT_MAX_ZIP_MEMBERS = int(os.environ.get("IMPORT_MAX_ZIP_MEMBERS", "1000"))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "60"))
IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", "32767"))
IMPORT_MAX_TEXT_CHARS = int(os.environ.get("IMPORT_MAX_TEXT_CHARS", "20000000"))
# An unconfirmed preview keeps a whole list in its payload; after this many days it can no
# longer be confirmed and `import_batches_clear` deletes it.
IMPORT_PREVIEW_DAYS = int(os.environ.get("IMPORT_PREVIEW_DAYS", "7"))


# Printing: batches of more certificates than this run in the background worker
# (manage.py db_worker); the worker renders PRINT_CHUNK_SIZE pages at a time and joins them.
PRINT_BACKGROUND_THRESHOLD = int(os.environ.get("PRINT_BACKGROUND_THRESHOLD", "200"))
PRINT_CHUNK_SIZE = int(os.environ.get("PRINT_CHUNK_SIZE", "100"))
# A queued or running job with no progress for this long has lost its worker: it is marked
# failed (and can be retried) when its page is opened, when a worker starts, or by print_jobs_sweep.
PRINT_STALE_SECONDS = int(os.environ.get("PRINT_STALE_SECONDS", "600"))
# Digital signatures (registry/services/signing.py; README "Ký số"). Trust: a folder of CA
# certificates (.pem/.crt/.cer) and CRLs (.crl); nothing is fetched from the network. The office's
# key: a PKCS#12 file, or a PKCS#11 token (module, slot or token label, key label). Passwords and
# PINs come from a file or the environment (SIGNING_PKCS12_PASSWORD, SIGNING_PKCS11_PIN), never
# from the database. Batches of more certificates than SIGNING_BACKGROUND_THRESHOLD are signed by
# the background worker.
SIGNING_TRUST_DIR = Path(os.environ.get("SIGNING_TRUST_DIR", VAR_DIR / "signing" / "trust"))
SIGNING_PKCS12_PATH = os.environ.get("SIGNING_PKCS12_PATH", "")
SIGNING_PKCS12_PASSWORD_FILE = os.environ.get("SIGNING_PKCS12_PASSWORD_FILE", "")
SIGNING_PKCS11_MODULE = os.environ.get("SIGNING_PKCS11_MODULE", "")
SIGNING_PKCS11_SLOT = os.environ.get("SIGNING_PKCS11_SLOT", "")
SIGNING_PKCS11_TOKEN_LABEL = os.environ.get("SIGNING_PKCS11_TOKEN_LABEL", "")
SIGNING_PKCS11_KEY_LABEL = os.environ.get("SIGNING_PKCS11_KEY_LABEL", "")
SIGNING_PKCS11_CERT_LABEL = os.environ.get("SIGNING_PKCS11_CERT_LABEL", "")
SIGNING_PKCS11_PIN_FILE = os.environ.get("SIGNING_PKCS11_PIN_FILE", "")
SIGNING_TIMESTAMP_URL = os.environ.get("SIGNING_TIMESTAMP_URL", "")
SIGNING_BACKGROUND_THRESHOLD = int(os.environ.get("SIGNING_BACKGROUND_THRESHOLD", "50"))
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# E-mail to the units at each step of their proposals (submitted, returned, received, outcome).
# Under DEBUG (`make run`) the mails are printed to the console; production sets EMAIL_BACKEND
# (django.core.mail.backends.smtp.EmailBackend) and EMAIL_HOST and friends.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "so-thi-dua@localhost")

if not DEBUG:
    # Production is served over HTTPS only; the reverse proxy in front says so in a header.
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    # Both reach beyond this site (every subdomain; browsers' built-in lists, slow to leave),
    # so an office opts in; check --deploy's reminders of them are silenced while they are off.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [
        check
        for check, on in [
            ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
            ("security.W021", SECURE_HSTS_PRELOAD),
        ]
        if not on
    ]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads (scanned decisions, spreadsheets) go to disk above this size rather than memory;
# the import service refuses files over IMPORT_MAX_BYTES.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The public page checking a PDF (xac-thuc/) refuses files larger than this.
REGISTRY_VERIFY_UPLOAD_MAX_BYTES = int(
    os.environ.get("REGISTRY_VERIFY_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
)

# --- Deployment: shared cache, rate limits, health, request log ---------------------------------

# The cache holds the public pages' rate-limit counters, so it must be one for every gunicorn
# worker and every app server: LocMem is per process (each worker would count alone). Default:
# a table in the registry's own database (created by `manage.py createcachetable`, which
# `make run` and the deployment steps run), shared with no extra service. An office that runs
# memcached or redis sets CACHE_BACKEND (e.g. django.core.cache.backends.redis.RedisCache, with
# the `redis` package) and CACHE_LOCATION (redis://127.0.0.1:6379/1).
CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "registry.cache.CounterDatabaseCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "registry_cache"),
        # Past this many rows the expired ones go (Django counts the table on each new key).
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "5000"))},
    }
}
# django-ratelimit's check warns of any cache it does not list (W001); it refuses LocMem and
# Django's DatabaseCache, whose incr reads then writes (E003). The registry's subclass counts
# under a row lock (registry/cache.py), so only the warning is silenced, and only for it.
if CACHES["default"]["BACKEND"] == "registry.cache.CounterDatabaseCache":
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "django_ratelimit.W001"]

# Requests per client address (registry.clientip: X-Forwarded-For only from TRUSTED_PROXIES) on
# the public pages, as "<count>/<s|m|h|d>"; empty turns a limit off. Above it the address gets
# 429 and a Vietnamese page until the window ends. The verification page allows a hall of people
# behind one network address scanning their certificates at once, and stops a script's guesses.
RATE_LIMIT_VERIFICATION = os.environ.get("RATE_LIMIT_VERIFICATION", "120/m")
RATE_LIMIT_COMMENT = os.environ.get("RATE_LIMIT_COMMENT", "10/h")
RATE_LIMIT_UPLOAD = os.environ.get("RATE_LIMIT_UPLOAD", "20/h")

# The health endpoint (/suc-khoe/) for a load balancer: the worker (manage.py db_worker) writes
# a heartbeat every WORKER_HEARTBEAT_SECONDS; older than WORKER_HEARTBEAT_MAX_AGE it is stale.
WORKER_HEARTBEAT_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_SECONDS", "30"))
WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "120"))
# Development and tests serve static files from the apps (WhiteNoise's finders under DEBUG):
# no need to warn that collectstatic has not filled STATIC_ROOT yet.
if DEBUG:
    warnings.filterwarnings("ignore", message=f"No directory at: {re.escape(str(STATIC_ROOT))}")
# A load balancer may probe over plain HTTP: the health answer is never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^suc-khoe/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # One line per request (registry.requestlog): user, method, path, status, duration in ms.
    # REQUEST_LOG_LEVEL=WARNING silences it. A signature that does not check out is an answer to
    # the user, not a server warning: pyHanko's own loggers say errors only.
    "loggers": {
        "registry.requests": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")},
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}
