from django.urls import path

from api import web_views

urlpatterns = [
    path("", web_views.token_list, name="api_tokens"),
    path("<str:pk>/revoke/", web_views.token_revoke, name="api_token_revoke"),
]
