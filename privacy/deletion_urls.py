from django.urls import path

from privacy import deletion_views

urlpatterns = [
    path("", deletion_views.account_delete, name="privacy_account_delete"),
    path("cancel/", deletion_views.account_delete_cancel, name="privacy_deletion_cancel"),
    path("cancel/<str:token>/", deletion_views.account_delete_cancel_link, name="privacy_deletion_cancel_link"),
]
