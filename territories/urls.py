from colocauto.core.routes import route
from territories import views

urlpatterns = [
    route("", views.territory_list),
    route("join/<str:token>/", views.territory_join),
    route("<int:territory_id>/", views.territory_dashboard),
    route("<int:territory_id>/report.pdf", views.territory_pdf),
    route("<int:territory_id>/export.csv", views.territory_csv),
    route("<int:territory_id>/export.json", views.territory_json),
    route("<int:territory_id>/staff/", views.territory_staff),
]
