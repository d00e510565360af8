"""``/api/v1/communities/{id}/expenses/``: record an expense (with a receipt, multipart), list, read and undo
expenses, and download a receipt — through the expense page's own form, services and rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, ListApiView, membership_for
from api.forms import validate_with
from api.v1.ledger_summaries import (
    COMMUNITY_ID,
    EXPENSE_ID,
    LedgerMemberSerializer,
    LedgerVehicleSerializer,
)
from api.v1.paths import path_id
from colocauto.core.clock import next_month
from colocauto.core.parsers import MAX_ID, parse_id
from communities.models import Membership, User
from ledger import cost_selectors, services
from ledger.explain import can_cancel_expense
from ledger.forms import ExpenseFilterForm, ExpenseForm, ReverseForm
from ledger.models import MAX_EXPENSE, MAX_LITRES, MAX_ODOMETER, Expense
from ledger.posting import local_today
from ledger.receipts import RECEIPT_TYPES, receipt_response
from ledger.rules import require_may_cancel_expense
from vehicles import selectors as vehicle_selectors
from vehicles.models import Vehicle

# --- Representation --------------------------------------------------------------------------


class ExpenseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    vehicle = LedgerVehicleSerializer()
    category = serializers.ChoiceField(choices=Expense.Category.choices)
    category_label = serializers.CharField(source="get_category_display")
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    spent_on = serializers.DateField()
    paid_by = LedgerMemberSerializer()
    note = serializers.CharField()
    litres = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="Litres (or kWh) for fuel or charging."
    )
    odometer = serializers.IntegerField(allow_null=True, help_text="Km on the odometer when filling up.")
    cost_model = serializers.ChoiceField(
        choices=Vehicle.CostModel.choices,
        help_text="The vehicle's cost model on the day: `rates` posts at once, `shared_costs` at month end.",
    )
    recorded_by = LedgerMemberSerializer(source="created_by")
    recorded_at = serializers.DateTimeField(source="created_at")
    receipt = serializers.SerializerMethodField(help_text="Where to download the receipt (this API), or null.")
    receipt_to_follow = serializers.BooleanField(
        help_text="Saved without its receipt, which the payer will add later (true until it is added)."
    )
    cancelled_at = serializers.DateTimeField(allow_null=True, help_text="When it was undone, or null.")
    cancelled_by = LedgerMemberSerializer(allow_null=True)
    cancel_reason = serializers.CharField(help_text="Why it was undone (empty while it is not).")
    can_undo = serializers.SerializerMethodField(help_text="Whether I may undo it now (its author, payer or an admin).")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_receipt(self, expense: Expense) -> str | None:
        if not expense.receipt:
            return None
        url = reverse("api:expense_receipt", kwargs={"community_id": expense.community_id, "expense_id": expense.pk})
        return str(self.context["request"].build_absolute_uri(url))

    @extend_schema_field(serializers.BooleanField())
    def get_can_undo(self, expense: Expense) -> bool:
        return can_cancel_expense(self.context["membership"], expense)


def _expense_data(request: Request, membership: Membership, expense: Expense) -> dict[str, Any]:
    return ExpenseSerializer(expense, context={"request": request, "membership": membership}).data


# --- Input -----------------------------------------------------------------------------------


class ExpenseInputSerializer(serializers.Serializer):
    """The fields of the expense page (``ledger.forms.ExpenseForm``), typed for JSON or multipart."""

    vehicle = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A vehicle of the community.")
    category = serializers.ChoiceField(choices=Expense.Category.choices)
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_EXPENSE,
        help_text='A decimal string with at most two decimals, e.g. "42.50".',
    )
    spent_on = serializers.DateField(help_text="The day it was spent: not in the future, at most 24 months ago.")
    paid_by = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Who paid (a member's id): only an admin records an expense someone else paid. Default: me.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    receipt = serializers.FileField(
        required=False, help_text="A photo (JPEG, PNG, WebP) or a PDF, sent as multipart/form-data."
    )
    receipt_to_follow = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Without a receipt: the payer will add it later; the expense is listed as missing it and they are reminded.",
    )
    litres = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=Decimal("0.01"),
        max_value=MAX_LITRES,
        help_text="For fuel or charging only (litres, or kWh for an electric vehicle).",
    )
    odometer = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_ODOMETER,
        help_text="For fuel or charging only: the odometer (km) when filling up.",
    )


class ExpenseUndoInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="Why it is undone: everyone sees it in the history.")


class ExpenseFilterSerializer(serializers.Serializer):
    vehicle = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    month = serializers.CharField(required=False, allow_blank=True)


def _payer(membership: Membership, form: forms.BaseForm, asked: Any, members: Any) -> User:
    """Who paid: the admin's choice (checked by the form), else me. A member naming someone else is refused by
    the service (``expense_payer_admin_only``), as long as that someone is a member here (else: not a choice)."""
    chosen = form.cleaned_data.get("paid_by")
    if chosen is not None:
        return chosen
    asked_id = parse_id(asked)
    if asked in (None, "") or asked_id == membership.user_id:
        return membership.user
    other = members.filter(pk=asked_id).first() if asked_id is not None else None
    if other is None:
        choice = forms.ModelChoiceField(queryset=members)
        raise serializers.ValidationError({"paid_by": [str(choice.error_messages["invalid_choice"])]})
    return other


# --- Views -----------------------------------------------------------------------------------

MONTH = OpenApiParameter(
    "month", str, description="Only the expenses of this month, `YYYY-MM`.", pattern=r"^\d{4}-\d{2}$"
)
VEHICLE = OpenApiParameter("vehicle", int, description="Only the expenses of this vehicle (its id).")


class ExpenseListView(ListApiView):
    serializer_class = ExpenseSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "membership": self.membership}

    def get_queryset(self) -> Any:
        membership = self.membership
        vehicles = vehicle_selectors.vehicles_for(membership).order_by("name", "pk")
        form = validate_with(
            ExpenseFilterForm, self.request.query_params, vehicles=vehicles, serializer_class=ExpenseFilterSerializer
        )
        expenses = cost_selectors.expenses_of(membership)
        if form.cleaned_data["vehicle"]:
            expenses = expenses.filter(vehicle=form.cleaned_data["vehicle"])
        if month := form.cleaned_data["month"]:
            expenses = expenses.filter(spent_on__gte=month, spent_on__lt=next_month(month))
        return expenses.order_by("-spent_on", "-pk")

    @extend_schema(
        operation_id="expenses_list",
        summary="The community's expenses, newest first (undone ones included, marked)",
        parameters=[COMMUNITY_ID, VEHICLE, MONTH],
    )
    def get(self, request: Request, community_id: str) -> Response:
        self.membership = membership_for(request, community_id)
        return self.list(request)

    @extend_schema(
        operation_id="expenses_create",
        parameters=[COMMUNITY_ID],
        summary="Record an expense (multipart/form-data to attach a receipt)",
        description=(
            "The expense page's rules: a vehicle of the community, an amount of at most two decimals, a day "
            "neither in the future nor more than 24 months ago, a receipt that really is a photo or a PDF. "
            "On a rates vehicle the payer is credited at once; on a shared-costs vehicle at month end."
        ),
        request=ExpenseInputSerializer,
        responses={201: ExpenseSerializer},
    )
    def post(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        members = vehicle_selectors.owner_candidates(membership)
        values = {key: request.data.get(key) for key in request.data} if isinstance(request.data, dict) else None
        if values is not None and membership.is_admin and values.get("paid_by") in (None, ""):
            values["paid_by"] = membership.user_id  # the page's default: the admin paid it
        form = validate_with(
            ExpenseForm,
            values,
            membership=membership,
            vehicles=vehicle_selectors.vehicles_for(membership).order_by("name", "pk"),
            members=members,
            today=local_today(membership.community),
            serializer_class=ExpenseInputSerializer,
        )
        data = form.cleaned_data
        expense = services.expense_record(
            membership=membership,
            vehicle=data["vehicle"],
            category=data["category"],
            amount=data["amount"],
            spent_on=data["spent_on"],
            paid_by=_payer(membership, form, request.data.get("paid_by"), members),
            note=data["note"],
            receipt=data["receipt"],
            litres=data["litres"],
            odometer=data["odometer"],
            receipt_to_follow=data["receipt_to_follow"],
        )
        expense = cost_selectors.expense_get(membership, expense.pk)
        return Response(_expense_data(request, membership, expense), status=status.HTTP_201_CREATED)


class ExpenseDetailView(ApiView):
    @extend_schema(
        operation_id="expenses_read",
        parameters=[COMMUNITY_ID, EXPENSE_ID],
        summary="One expense",
        responses=ExpenseSerializer,
    )
    def get(self, request: Request, community_id: str, expense_id: str) -> Response:
        membership = membership_for(request, community_id)
        expense = cost_selectors.expense_get(membership, path_id(expense_id))
        return Response(_expense_data(request, membership, expense))


class ExpenseUndoView(ApiView):
    @extend_schema(
        operation_id="expenses_undo",
        parameters=[COMMUNITY_ID, EXPENSE_ID],
        summary="Undo an expense, saying why (its author, its payer or an admin)",
        description=(
            "Reverses its posting if it has one; the history keeps both lines. Refusals: 403 "
            "`expense_undo_not_allowed`, 409 `already_undone`, 400 when the reason is missing."
        ),
        request=ExpenseUndoInputSerializer,
        responses=ExpenseSerializer,
    )
    def post(self, request: Request, community_id: str, expense_id: str) -> Response:
        membership = membership_for(request, community_id)
        expense = cost_selectors.expense_get(membership, path_id(expense_id))
        require_may_cancel_expense(membership, expense)
        form = validate_with(ReverseForm, request.data, serializer_class=ExpenseUndoInputSerializer)
        services.expense_cancel(membership=membership, expense=expense, reason=form.cleaned_data["reason"])
        expense = cost_selectors.expense_get(membership, expense.pk)
        return Response(_expense_data(request, membership, expense))


class ExpenseReceiptView(ApiView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The file is answered as what it holds whatever the client accepts; a refusal is JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="expenses_receipt",
        parameters=[COMMUNITY_ID, EXPENSE_ID],
        summary="Download an expense's receipt (a photo or a PDF)",
        description="Served as what the file holds (its content type comes from its content), never cached.",
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The receipt.")
            for content_type in sorted(set(RECEIPT_TYPES.values()))
        },
    )
    def get(self, request: Request, community_id: str, expense_id: str) -> Any:
        membership = membership_for(request, community_id)
        expense = cost_selectors.expense_get(membership, path_id(expense_id))
        return receipt_response(expense.receipt)


urlpatterns = [
    path("communities/<str:community_id>/expenses/", ExpenseListView.as_view(), name="expense_list"),
    path(
        "communities/<str:community_id>/expenses/<str:expense_id>/", ExpenseDetailView.as_view(), name="expense_detail"
    ),
    path(
        "communities/<str:community_id>/expenses/<str:expense_id>/undo/", ExpenseUndoView.as_view(), name="expense_undo"
    ),
    path(
        "communities/<str:community_id>/expenses/<str:expense_id>/receipt/",
        ExpenseReceiptView.as_view(),
        name="expense_receipt",
    ),
]
