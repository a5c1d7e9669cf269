import importlib.util
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from shop.site.settings.env import flag, number, text, whole, words

DEBUG = flag("SHOP_DEBUG")

SECRET_KEY = text("SHOP_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SHOP_SECRET_KEY is not set: set it to a long random value "
            "(or SHOP_DEBUG=1 for a development key)"
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-deploy"  # noqa: S105

ALLOWED_HOSTS = words("SHOP_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = words("SHOP_CSRF_TRUSTED_ORIGINS")

# The four bounded contexts. Each is a Django app with a database alias of the same name.
# Their architecture (public modules, layers, shared packages) is declared once, in
# importlinter.ini; a test keeps this list and that declaration the same.
SHOP_CONTEXTS = ["catalog", "inventory", "ordering", "billing"]

INSTALLED_APPS = [
    # Django's admin, on the shop's admin site: Django's plus the operator console's pages
    # (shop.platform.console).
    "shop.platform.console.apps.ShopAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_structlog",
    "django_prometheus",
    "csp",
    "shop.platform",
    "shop.site",
    *(f"shop.{context}" for context in SHOP_CONTEXTS),
]
# The architecture gate's Django mode (`manage.py contextgate`, docs/architecture-gate.md)
# where the development tools are installed; the image has neither it nor its commands.
if importlib.util.find_spec("contextgate") is not None:
    INSTALLED_APPS.append("contextgate")

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "shop.platform.http.middleware.RequestIdMiddleware",
    # Records the answers of shadowed contexts (SHOP_SHADOW_CONTEXTS); else not loaded.
    "shop.platform.shadow.recording.ShadowRecorder",
    "django_structlog.middlewares.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, where this process hosts identity; else request.user stays anonymous
    # without touching `default` (shop.platform.auth.middleware).
    "shop.platform.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "shop.site.urls"
WSGI_APPLICATION = "shop.site.wsgi.application"
APPEND_SLASH = False

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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The admin shows timestamps to the second ("2026-11-23 17:50:56 UTC"): shop/site/formats.
FORMAT_MODULE_PATH = ["shop.site.formats"]

SHOP_DATA_DIR = Path(text("SHOP_DATA_DIR", "var")).resolve()

STATIC_URL = "static/"
STATIC_ROOT = Path(text("SHOP_STATIC_ROOT", str(SHOP_DATA_DIR / "static"))).resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files in production (after collectstatic); plain files in development.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Serve app static files straight from their packages when nothing was collected (dev, tests),
# and do not fail a page over a file missing from the manifest.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The event bus (shop.platform.events): transport and retry policy.
SHOP_EVENTS = {
    "transport": text("SHOP_EVENT_TRANSPORT", "inline"),
    "max_attempts": whole("SHOP_EVENTS_MAX_ATTEMPTS", 8),
    "not_yet_seconds": number("SHOP_EVENTS_NOT_YET_SECONDS", 3600),
    "unavailable_seconds": number("SHOP_EVENTS_UNAVAILABLE_SECONDS", 600),
    "backoff_base_seconds": number("SHOP_EVENTS_BACKOFF_BASE_SECONDS", 0.5),
    "backoff_max_seconds": number("SHOP_EVENTS_BACKOFF_MAX_SECONDS", 300),
    "sweep_seconds": number("SHOP_EVENTS_SWEEP_SECONDS", 1),
    "batch_size": whole("SHOP_EVENTS_BATCH_SIZE", 500),
    "retention_days": number("SHOP_EVENTS_RETENTION_DAYS", 7),
    "redeliver_after_seconds": number("SHOP_EVENTS_REDELIVER_AFTER_SECONDS", 600),
}

# The order saga: an order still awaiting payment after this long is cancelled.
SHOP_PAYMENT_DEADLINE_SECONDS = number("SHOP_PAYMENT_DEADLINE_SECONDS", 900)

# Shadow comparison (docs/extracting-a-context.md): the contexts whose GET answers this
# process records, and where (one file per process). Empty: nothing is recorded.
SHOP_SHADOW = {
    "contexts": words("SHOP_SHADOW_CONTEXTS"),
    "dir": Path(text("SHOP_SHADOW_DIR", str(SHOP_DATA_DIR / "shadow"))).resolve(),
}
if unknown := sorted(set(SHOP_SHADOW["contexts"]) - set(SHOP_CONTEXTS)):
    raise ImproperlyConfigured(
        f"SHOP_SHADOW_CONTEXTS: {', '.join(unknown)} is not a context ({', '.join(SHOP_CONTEXTS)})"
    )

# The built-in fake payment provider (billing's anti-corruption layer talks to it).
SHOP_FAKE_PAYMENTS = {
    "latency_seconds": number("SHOP_FAKE_PAYMENTS_LATENCY_SECONDS", 0),
    "available": not flag("SHOP_FAKE_PAYMENTS_DOWN"),
}

# HTTPS, HSTS, secure cookies and the Content Security Policy: settings/security.py.
