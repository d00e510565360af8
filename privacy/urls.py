from django.urls import path

from privacy import views

urlpatterns = [
    path("", views.my_data, name="privacy_my_data"),
    path("exports/<str:pk>/status/", views.export_status, name="privacy_export_status"),
    path("download/<str:token>/", views.download, name="privacy_download"),
]
