from django.urls import path

from territories import sharing_views

urlpatterns = [
    path("", sharing_views.community_sharing, name="community_sharing"),
    path("share/", sharing_views.consent_grant, name="community_consent_grant"),
    path("<int:pk>/withdraw/", sharing_views.consent_withdraw, name="community_consent_withdraw"),
    path("open-data/", sharing_views.open_data, name="community_open_data"),
    path("insee/", sharing_views.insee_code, name="community_insee_code"),
]
