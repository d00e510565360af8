from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from colocauto import pwa
from colocauto.views import healthz, healthz_ready
from privacy.views import privacy_policy

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/ready", healthz_ready, name="healthz_ready"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("communities.urls")),
    path("c/<int:community_id>/vehicles/", include("vehicles.urls")),
    path("c/<int:community_id>/bookings/", include("bookings.urls")),
    path("c/<int:community_id>/calendar/", include("bookings.calendar_urls")),
    path("c/<int:community_id>/ledger/", include("ledger.urls")),
    path("c/<int:community_id>/settings/sharing/", include("territories.sharing_urls")),
    path("territories/", include("territories.urls")),
    path("ical/", include("bookings.ical_urls")),
    path("opendata/gbfs/", include("territories.gbfs.urls")),
    path("api/", include("api.urls")),
    path("profile/tokens/", include("api.web_urls")),
    path("profile/data/", include("privacy.urls")),
    path("profile/delete/", include("privacy.deletion_urls")),
    path("privacy/", privacy_policy, name="privacy"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
