"""HTTPS, HSTS, secure cookies and the Content Security Policy.

With `SHOP_DEBUG` off the shop is HTTPS-only, and `manage.py check --deploy
--fail-level WARNING` passes: plain HTTP is redirected to HTTPS, HSTS tells browsers
never to come back over HTTP, and the session and CSRF cookies are `Secure`. TLS ends at
the proxy in front of gunicorn, which says so in `X-Forwarded-Proto`. `SHOP_HTTPS=0`
turns the three off, for a shop served over plain HTTP: `make run-prod` on this machine
does that, and says so when it starts. The health and metrics endpoints are never
redirected: probes and scrapers talk plain HTTP from inside the host or cluster.

The Content Security Policy (django-csp) holds in every mode: scripts, styles, fonts and
fetches only from the shop's own origin, images from it and `data:` URIs, no plugins, no
framing. The admin needs nothing more; Swagger UI (`/api/docs/`) loads its start-up script
from its own URL and gets inline styles on that page alone (`shop.site.urls`).
"""

from csp.constants import NONE, SELF

from shop.site.settings.core import DEBUG
from shop.site.settings.env import flag, text, whole

SHOP_HTTPS = flag("SHOP_HTTPS", True)

if not DEBUG:
    SECURE_SSL_REDIRECT = SHOP_HTTPS
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    # A browser that saw the header refuses plain HTTP to this host for that long.
    SECURE_HSTS_SECONDS = whole("SHOP_HSTS_SECONDS", 31_536_000) if SHOP_HTTPS else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = flag("SHOP_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = flag("SHOP_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = flag("SHOP_SECURE_COOKIES", SHOP_HTTPS)
    CSRF_COOKIE_SECURE = flag("SHOP_SECURE_COOKIES", SHOP_HTTPS)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# The header the TLS-terminating proxy sets to `https` (it must overwrite a client's own);
# empty: trust none, and only gunicorn's own view of the connection counts.
_proxy_header = text("SHOP_PROXY_SSL_HEADER", "X-Forwarded-Proto").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_header.upper().replace('-', '_')}", "https")

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
