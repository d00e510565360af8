from django.urls import path

from vehicles import views

urlpatterns = [
    path("", views.vehicle_list, name="vehicle_list"),
    path("new/", views.vehicle_create, name="vehicle_create"),
    path("<int:pk>/", views.vehicle_detail, name="vehicle_detail"),
    path("<int:pk>/edit/", views.vehicle_edit, name="vehicle_edit"),
    path("<int:pk>/active/", views.vehicle_set_active, name="vehicle_set_active"),
    path("<int:pk>/availability/", views.vehicle_availability, name="vehicle_availability"),
    path("<int:pk>/blackouts/new/", views.vehicle_blackout_add, name="vehicle_blackout_add"),
    path("<int:pk>/blackouts/<int:bpk>/delete/", views.vehicle_blackout_delete, name="vehicle_blackout_delete"),
    path("<int:pk>/photo/", views.vehicle_photo, name="vehicle_photo"),
]
