"""``/api/v1/territories/``: for territory staff, the territories they are staff of and each one's report —
the dashboard's own report (``territories.dashboard``), with the same aggregates and the same disclosure
control: a confidential figure is null and its row says ``suppressed``, never 0. Anyone else gets an empty
list and 404 for a report, as on the pages."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, ListApiView
from api.v1.ledger_summaries import TERRITORY_ID
from api.v1.paths import path_id
from territories import dashboard
from territories.exports import export_rows
from territories.models import Territory
from territories.selectors import staff_get_for_user, staff_roles_for


class StaffTerritorySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="territory.pk")
    name = serializers.CharField(source="territory.name")
    kind = serializers.ChoiceField(source="territory.kind", choices=Territory.Kind.choices)
    code = serializers.CharField(source="territory.code", help_text="INSEE code or SIREN number (may be empty).")
    is_admin = serializers.BooleanField(help_text="I may invite colleagues.")


class TerritoryListView(ListApiView):
    serializer_class = StaffTerritorySerializer

    @extend_schema(
        operation_id="territories_list",
        summary="The territories I am staff of (an empty list for anyone else)",
    )
    def get(self, request: Request) -> Response:
        return self.list(request)

    def get_queryset(self) -> Any:
        return staff_roles_for(self.request.user)


PERIOD_KINDS = ["month", "quarter", "year"]


class TerritoryReportTerritorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Territory.Kind.choices)
    code = serializers.CharField()


class TerritoryReportPeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`2026`, `2026-Q1` or `2026-03`: what `?period=` takes.")
    kind = serializers.ChoiceField(choices=PERIOD_KINDS)
    start_date = serializers.DateField(source="start")
    duration = serializers.CharField(help_text="ISO 8601: `P1M`, `P3M` or `P1Y`.")
    label = serializers.CharField(help_text="In my language.")


class TerritoryReportThresholdsSerializer(serializers.Serializer):
    min_households = serializers.IntegerField()
    min_bookings = serializers.IntegerField()
    max_household_share = serializers.DecimalField(
        source="max_share", max_digits=4, decimal_places=2, help_text="Above this share of the km or hours, hidden."
    )


class TerritoryHeadlineFiguresSerializer(serializers.Serializer):
    """The dashboard's headline figures of 12 months together."""

    bookings = serializers.IntegerField()
    km = serializers.IntegerField()
    booked_hours = serializers.IntegerField()
    households = serializers.IntegerField(help_text="Households who booked (busiest month).")
    average_members = serializers.DecimalField(max_digits=12, decimal_places=1)
    average_vehicles = serializers.DecimalField(max_digits=12, decimal_places=1)
    occupancy = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True, help_text="In %.")
    non_owner_share = serializers.DecimalField(
        max_digits=6, decimal_places=1, allow_null=True, help_text="Trips by non-owners, in %."
    )
    km_per_trip = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    cost_per_km = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="What drivers paid per km."
    )


class TerritoryHeadlineSerializer(serializers.Serializer):
    first_month = serializers.CharField(help_text="The first of the last 12 ended months, `YYYY-MM`.")
    last_month = serializers.CharField()
    current = TerritoryHeadlineFiguresSerializer(
        allow_null=True, help_text="The last 12 months; null when confidential."
    )
    current_suppressed = serializers.BooleanField()
    previous = TerritoryHeadlineFiguresSerializer(
        allow_null=True, help_text="The 12 months before; null when confidential."
    )
    previous_suppressed = serializers.BooleanField()


class TerritoryReportRowSerializer(serializers.Serializer):
    """One row of the Mobility Data Specification's "Reports" layout (as the JSON and CSV exports)."""

    start_date = serializers.DateField()
    duration = serializers.CharField(help_text="`P1M`, `P3M` or `P1Y`.")
    geography_type = serializers.CharField(help_text="The territory's kind, or `rest` (attached to it directly).")
    geography_id = serializers.CharField(help_text="Its official code (may be empty).")
    geography_name = serializers.CharField()
    vehicle_type = serializers.CharField()
    vehicle_energy = serializers.CharField(help_text="An energy, or `all`.")
    suppressed = serializers.BooleanField(help_text="Confidential: every figure of the row is null (never 0).")
    trip_count = serializers.IntegerField(allow_null=True)
    household_count = serializers.IntegerField(allow_null=True)
    booking_count = serializers.IntegerField(allow_null=True)
    distance_km = serializers.IntegerField(allow_null=True)
    booked_hours = serializers.IntegerField(allow_null=True)
    occupancy_rate = serializers.DecimalField(
        max_digits=6, decimal_places=3, allow_null=True, help_text="Booked hours / available hours (0 to 1)."
    )


class TerritoryReportParticipantsSerializer(serializers.Serializer):
    listed = serializers.ListField(child=serializers.CharField(), help_text="Communities that chose to be named.")
    unlisted = serializers.IntegerField(help_text="How many others share their figures.")


class TerritoryReportSerializer(serializers.Serializer):
    territory = TerritoryReportTerritorySerializer()
    period = TerritoryReportPeriodSerializer(
        allow_null=True, help_text="The period of `rows`; null if none has ended yet."
    )
    periods = TerritoryReportPeriodSerializer(many=True, help_text="Every period one may ask for, newest first.")
    thresholds = TerritoryReportThresholdsSerializer()
    headline = TerritoryHeadlineSerializer()
    alternatives = serializers.ListField(
        child=serializers.CharField(),
        help_text="When the territory's total for the period is confidential: enclosing periods that are not.",
    )
    participants = TerritoryReportParticipantsSerializer()
    rows = TerritoryReportRowSerializer(
        many=True,
        help_text="Each month of the period, then its quarters and itself, × the territory and its children × "
        "the vehicle energies.",
    )


def _report_data(territory: Territory, asked: str | None) -> dict[str, Any]:
    report, period, problem = dashboard.report_for(territory, asked, today=timezone.localdate())
    if problem:
        raise serializers.ValidationError({"period": [problem]})
    line = dashboard.headline(report)
    participants = dashboard.participants(report)
    return {
        "territory": territory,
        "period": period,
        "periods": [choice for _label, group in dashboard.choosable_periods(report) for choice in group],
        "thresholds": report.thresholds,
        "headline": {
            "first_month": line.months[0].key,
            "last_month": line.months[-1].key,
            "current": line.current.indicators,
            "current_suppressed": line.current.confidential,
            "previous": line.previous.indicators,
            "previous_suppressed": line.previous.confidential,
        },
        "alternatives": [other.key for other in dashboard.alternatives(report, period)] if period else [],
        "participants": {"listed": participants.listed, "unlisted": participants.unlisted},
        "rows": export_rows(report, period) if period else [],
    }


class TerritoryReportView(ApiView):
    @extend_schema(
        operation_id="territories_report",
        summary="A territory's report for a period: the dashboard's figures, confidential ones null",
        description=(
            "Only for the territory's staff (404 for anyone else). Without `period`, the latest ended quarter. "
            "A period that is not an ended month, quarter or year: 400 with the field `period`."
        ),
        parameters=[
            TERRITORY_ID,
            OpenApiParameter(
                "period",
                str,
                description="`2026`, `2026-Q1` or `2026-03`, once ended.",
                pattern=r"^\d{4}(-(\d{2}|Q[1-4]))?$",
            ),
        ],
        responses=TerritoryReportSerializer,
    )
    def get(self, request: Request, territory_id: str) -> Response:
        role = staff_get_for_user(request.user, path_id(territory_id))
        data = _report_data(role.territory, request.query_params.get("period"))
        return Response(TerritoryReportSerializer(data).data)


urlpatterns = [
    path("territories/", TerritoryListView.as_view(), name="territory_list"),
    path("territories/<str:territory_id>/report/", TerritoryReportView.as_view(), name="territory_report"),
]
