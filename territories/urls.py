from django.urls import path

from territories import views

urlpatterns = [
    path("", views.territory_list, name="territory_list"),
    path("join/<str:token>/", views.territory_join, name="territory_join"),
    path("<int:territory_id>/", views.territory_dashboard, name="territory_dashboard"),
    path("<int:territory_id>/report.pdf", views.territory_pdf, name="territory_pdf"),
    path("<int:territory_id>/export.csv", views.territory_csv, name="territory_csv"),
    path("<int:territory_id>/export.json", views.territory_json, name="territory_json"),
    path("<int:territory_id>/staff/", views.territory_staff, name="territory_staff"),
]
