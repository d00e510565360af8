from django.urls import path

from backups import views

urlpatterns = [
    path("c/<int:community_id>/backup/", views.backup_page, name="community_backup"),
    path("c/<int:community_id>/backup/<str:pk>/status/", views.backup_status, name="community_backup_status"),
    path("c/<int:community_id>/backup/download/<str:token>/", views.backup_download, name="community_backup_download"),
]
