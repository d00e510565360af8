"""The installable app: its web manifest, its service worker and the page it shows offline.

The service worker (templates/pwa/sw.js) keeps the site's CSS, scripts and icons, and a copy of the pages
marked with ``colocauto.core.web.offline_copy``; offline, it shows that copy marked as such (forms
disabled by static/js/pwa.js), or the offline page.
"""

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0b5c8a"
# Kept on install, so that every page kept offline has its look and its scripts.
ASSETS = (
    "css/app.css",
    "css/calendar.css",
    "css/ledger.css",
    "js/app.js",
    "js/pwa.js",
    "js/calendar.js",
    "js/ledger.js",
    "favicon.svg",
    "icons/icon-192.png",
)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    icon = "image/png"
    body = {
        "name": "Colocauto",
        "short_name": "Colocauto",
        "description": _("Share cars between neighbours: book, log trips, split costs fairly."),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "background_color": "#f6f8fa",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": icon},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": icon},
            {"src": static("icons/icon-maskable-512.png"), "sizes": "512x512", "type": icon, "purpose": "maskable"},
        ],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = [static(name) for name in ASSETS]
    offline_url = reverse("offline")
    # A new version (new asset URLs once collectstatic has hashed them) replaces the old cache on install.
    version = hashlib.sha256("\n".join([*assets, offline_url, settings.STATIC_URL]).encode()).hexdigest()[:12]
    context = {"assets": assets, "offline_url": offline_url, "static_prefix": settings.STATIC_URL, "version": version}
    response = render(request, "pwa/sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Kept by the service worker at install and shown for a page it has no copy of; says nothing personal."""
    return render(request, "pwa/offline.html")
