from colocauto.core.routes import route
from territories import sharing_views as views

urlpatterns = [
    route("", views.community_sharing),
    route("share/", views.community_consent_grant),
    route("<int:pk>/withdraw/", views.community_consent_withdraw),
    route("open-data/", views.community_open_data),
    route("insee/", views.community_insee_code),
]
