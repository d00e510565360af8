"""``/api/v1/communities/{id}/ledger/…`` and ``…/transfers/…``: my balance and statement, the community's
balances, the settle-up plan, and declaring and confirming a transfer — the ledger pages' selectors, services
and rules (``ledger.rules``), so the answers and refusals are the pages' own."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, ListApiView, membership_for
from api.forms import validate_with
from api.pagination import Pages
from api.v1.ledger_summaries import (
    COMMUNITY_ID,
    TRANSFER_ID,
    LedgerMemberSerializer,
    LedgerVehicleSerializer,
)
from api.v1.paths import path_id
from colocauto.core.clock import month_last_day
from colocauto.core.parsers import MAX_ID
from communities.models import Membership
from communities.selectors import pool_holder_of
from ledger import cost_selectors, selectors, statement_selectors, transfers
from ledger.explain import explain, is_reversed, prepare
from ledger.forms import MonthFilterForm
from ledger.models import Transaction, Transfer
from ledger.settle_up import settle_row, settle_up
from ledger.statement_selectors import Statement

MONEY = {"max_digits": 20, "decimal_places": 2}


# --- My balance ------------------------------------------------------------------------------


class LedgerPendingSharedCostsSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the current month.")
    paid = serializers.DecimalField(**MONEY, help_text="What I paid this month for shared-costs vehicles.")
    km = serializers.IntegerField(help_text="The km I drove this month on shared-costs vehicles.")


class MyLedgerSerializer(serializers.Serializer):
    member = LedgerMemberSerializer()
    currency = serializers.CharField()
    balance = serializers.DecimalField(
        **MONEY, help_text="What the others owe me (negative: what I owe), as on the balances page."
    )
    pending_shared_costs = LedgerPendingSharedCostsSerializer(
        help_text="This month on shared-costs vehicles, before the month-end split counts it."
    )


class MyLedgerView(ApiView):
    @extend_schema(
        operation_id="ledger_me",
        parameters=[COMMUNITY_ID],
        summary="My balance in the community",
        responses=MyLedgerSerializer,
    )
    def get(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        pending = cost_selectors.pending_shared_costs_of(membership)
        data = {
            "member": membership.user,
            "currency": membership.community.currency,
            "balance": selectors.own_balance(membership),
            "pending_shared_costs": {"month": pending.month, "paid": pending.paid, "km": pending.km},
        }
        return Response(MyLedgerSerializer(data).data)


# --- Statement -------------------------------------------------------------------------------


class StatementLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="transaction.pk", help_text="The transaction's id.")
    date = serializers.DateField()
    kind = serializers.ChoiceField(source="transaction.kind", choices=Transaction.Kind.choices)
    label = serializers.CharField(help_text="The kind, in my language.")
    text = serializers.CharField(help_text="What the line is: the trip, the expense, the transfer…, in my language.")
    vehicle = LedgerVehicleSerializer(allow_null=True)
    amount = serializers.DecimalField(**MONEY, help_text="Positive: the others owe me more.")
    balance = serializers.DecimalField(**MONEY, help_text="The running balance after this line.")
    undone = serializers.BooleanField(help_text="A later line undoes this one.")
    expense_id = serializers.IntegerField(source="transaction.expense_id", allow_null=True)


class StatementQuerySerializer(serializers.Serializer):
    month = serializers.CharField(required=False, allow_blank=True)
    member = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class StatementPages(Pages):
    """The lines of one page, with what the whole statement says: whose, which month, the balances."""

    statement: Statement

    def get_paginated_response(self, data: Any) -> Response:
        statement = self.statement
        assert self.page is not None
        return Response(
            OrderedDict(
                [
                    ("count", self.page.paginator.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("member", LedgerMemberSerializer(statement.user).data),
                    ("month", f"{statement.month:%Y-%m}" if statement.month else None),
                    ("opening", f"{statement.opening:.2f}"),
                    ("closing", f"{statement.closing:.2f}"),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        money = {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$"}
        paginated["properties"] = {
            **{key: value for key, value in paginated["properties"].items() if key != "results"},
            "member": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}},
                "required": ["id", "display_name"],
            },
            "month": {"type": "string", "nullable": True, "example": "2026-03", "description": "null: all time."},
            "opening": {**money, "description": "The balance brought forward at the start of the month (0.00)."},
            "closing": {**money, "description": "The balance after the last line."},
            "results": paginated["properties"]["results"],
        }
        paginated["required"] = ["count", "member", "month", "opening", "closing", "results"]
        return paginated


class StatementView(ListApiView):
    serializer_class = StatementLineSerializer
    pagination_class = StatementPages

    @extend_schema(
        operation_id="ledger_statement",
        summary="My statement (or a member's: balances are open to every member), oldest line first",
        parameters=[
            COMMUNITY_ID,
            OpenApiParameter(
                "month",
                str,
                description="Only this month, `YYYY-MM`, from the balance brought forward.",
                pattern=r"^\d{4}-\d{2}$",
            ),
            OpenApiParameter("member", int, description="Another member's id (default: me)."),
        ],
    )
    def get(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        form = validate_with(MonthFilterForm, request.query_params, serializer_class=StatementQuerySerializer)
        member_id = request.query_params.get("member")
        person = selectors.member_get(membership, path_id(member_id)) if member_id else request.user
        statement = statement_selectors.statement_for(membership, person, form.cleaned_data["month"])
        paginator = self.paginator
        assert isinstance(paginator, StatementPages)
        paginator.statement = statement
        # The page first, then only its lines explained: the explanations are most of a statement's cost.
        page = paginator.paginate_queryset(statement.lines, request, view=self) or []
        prepare(line.transaction for line in page)
        lines = [
            {
                "transaction": line.transaction,
                "date": line.date,
                "label": line.label,
                "text": explain(line.transaction),
                "vehicle": line.vehicle,
                "amount": line.amount,
                "balance": line.balance,
                "undone": is_reversed(line.transaction),
            }
            for line in page
        ]
        return paginator.get_paginated_response(self.get_serializer(lines, many=True).data)


# --- Balances --------------------------------------------------------------------------------


class LedgerBalanceSerializer(serializers.Serializer):
    member = LedgerMemberSerializer(source="user", allow_null=True, help_text="null: the community pool.")
    is_pool = serializers.BooleanField()
    is_member = serializers.BooleanField(help_text="False for a former member still owed or owing.")
    amount = serializers.DecimalField(**MONEY, help_text="What the others owe them (negative: what they owe).")


class BalancesView(ListApiView):
    serializer_class = LedgerBalanceSerializer

    @extend_schema(
        operation_id="ledger_balances",
        parameters=[COMMUNITY_ID],
        summary="Everyone's balance, as the balances page shows it (by name, the pool last; they sum to zero)",
    )
    def get(self, request: Request, community_id: str) -> Response:
        self.membership = membership_for(request, community_id)
        return self.list(request)

    def get_queryset(self) -> Any:
        return selectors.balances_for(self.membership)


# --- Settle up and transfers -----------------------------------------------------------------


class LedgerTransferPartySerializer(serializers.Serializer):
    is_pool = serializers.BooleanField()
    member = LedgerMemberSerializer(source="user", allow_null=True, help_text="null: the community pool.")
    display_name = serializers.CharField(source="__str__", help_text="The member's name, or the pool's.")


class LedgerPaymentDetailsSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The beneficiary.")
    iban = serializers.CharField()
    reference = serializers.CharField(help_text="The reference to give the bank transfer.")
    payload = serializers.CharField(help_text="The EPC (SEPA) QR code's content, for a banking app.")


TRANSFER_STATUSES = ["open", "declared", "confirmed", "superseded"]


class LedgerTransferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="transfer.pk")
    period = serializers.CharField(help_text="The closed month whose plan it belongs to, `YYYY-MM`.")
    payer = LedgerTransferPartySerializer(source="transfer.payer")
    payee = LedgerTransferPartySerializer(source="transfer.payee")
    amount = serializers.DecimalField(source="transfer.amount", **MONEY)
    status = serializers.ChoiceField(
        choices=TRANSFER_STATUSES,
        help_text="`declared`: the payer said it is paid; `confirmed`: the payee (or an admin) confirmed it; "
        "`superseded`: a newer plan replaced it.",
    )
    declared_paid_at = serializers.DateTimeField(source="transfer.declared_paid_at", allow_null=True)
    declared_by = LedgerMemberSerializer(source="transfer.declared_by", allow_null=True)
    confirmed_at = serializers.DateTimeField(source="transfer.confirmed_at", allow_null=True)
    confirmed_by = LedgerMemberSerializer(source="transfer.confirmed_by", allow_null=True)
    confirmed_on_behalf = serializers.BooleanField(
        source="confirmed_for", help_text="An admin confirmed it for the payee."
    )
    side = serializers.ChoiceField(
        choices=["pay", "receive"], allow_null=True, help_text="Whether I pay or receive it (null: neither)."
    )
    can_declare = serializers.BooleanField(help_text="I may declare it paid now.")
    can_confirm = serializers.BooleanField(help_text="I may confirm it was received now.")
    to_make = serializers.BooleanField(help_text="I still have to make it.")
    payment = LedgerPaymentDetailsSerializer(
        source="bank",
        allow_null=True,
        help_text="How to pay it: only for whoever still has to, if the payee gave an IBAN.",
    )


def _transfer_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``ledger.settle_up.settle_row`` with the transfer's month and status, for LedgerTransferSerializer."""
    transfer: Transfer = row["transfer"]
    status = (
        "confirmed"
        if transfer.is_confirmed
        else "superseded"
        if transfer.superseded_at
        else "declared"
        if transfer.declared_paid_at
        else "open"
    )
    return {**row, "period": f"{transfer.period.month:%Y-%m}", "status": status}


class LedgerPlannedTransferSerializer(serializers.Serializer):
    payer = serializers.CharField(help_text="A member's name, or the pool's.")
    payee = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    mine = serializers.BooleanField(help_text="I pay or receive it.")


class LedgerSettleUpSerializer(serializers.Serializer):
    period = serializers.CharField(
        allow_null=True, help_text="The latest closed month, `YYYY-MM`; null before any month is closed."
    )
    balances_as_of = serializers.DateField(
        allow_null=True, help_text="The plan settles the balances as they stood at the end of this day."
    )
    balance = serializers.DecimalField(**MONEY, help_text="My balance today.")
    settled = serializers.BooleanField(help_text="Every transfer of the plan is confirmed, none earlier waits.")
    pool_without_holder = serializers.BooleanField(
        help_text="A transfer of the pool is open and nobody holds the pool: an admin must name a holder."
    )
    transfers = LedgerTransferSerializer(many=True, help_text="The plan's transfers, then earlier ones still waiting.")
    live_plan = LedgerPlannedTransferSerializer(
        many=True, help_text="Before any month is closed: the plan today's balances would give."
    )


class SettleUpView(ApiView):
    @extend_schema(
        operation_id="ledger_settle",
        parameters=[COMMUNITY_ID],
        summary="The current settle-up plan: who pays whom, and what I may declare or confirm",
        responses=LedgerSettleUpSerializer,
    )
    def get(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        state = settle_up(membership)
        data = {
            "period": f"{state.period.month:%Y-%m}" if state.period else None,
            "balances_as_of": month_last_day(state.period.month) if state.period else None,
            "balance": state.balance,
            "settled": state.settled,
            "pool_without_holder": state.pool_without_holder,
            "transfers": [_transfer_row(row) for row in state.plan + state.earlier],
            "live_plan": state.live_plan,
        }
        return Response(LedgerSettleUpSerializer(data).data)


def _transfer_action(service: Any, operation_id: str, summary: str, description: str) -> type[ApiView]:
    class TransferActionView(ApiView):
        @extend_schema(
            operation_id=operation_id,
            parameters=[COMMUNITY_ID, TRANSFER_ID],
            summary=summary,
            description=description,
            request=None,
            responses=LedgerTransferSerializer,
        )
        def post(self, request: Request, community_id: str, transfer_id: str) -> Response:
            membership: Membership = membership_for(request, community_id)
            transfer = selectors.transfer_get(membership, path_id(transfer_id))
            transfer = service(membership=membership, transfer=transfer)
            row = settle_row(membership, transfer, pool_holder_of(membership.community))
            return Response(LedgerTransferSerializer(_transfer_row(row)).data)

    TransferActionView.__name__ = TransferActionView.__qualname__ = f"{operation_id.title().replace('_', '')}View"
    return TransferActionView


TransferDeclarePaidView = _transfer_action(
    transfers.transfer_declare_paid,
    "transfers_declare_paid",
    "Say I made this transfer (its payer; for the pool, its holder or an admin)",
    "Idempotent. Refusals: 403 `transfer_declare_not_allowed`, 409 `transfer_superseded`.",
)
TransferConfirmView = _transfer_action(
    transfers.transfer_confirm,
    "transfers_confirm",
    "Confirm the transfer was received (its payee, or an admin who is not the payer)",
    "Posts the settlement once; idempotent. Refusals: 403 `transfer_confirm_not_allowed`, 409 `transfer_superseded`.",
)


urlpatterns = [
    path("communities/<str:community_id>/ledger/me/", MyLedgerView.as_view(), name="ledger_me"),
    path("communities/<str:community_id>/ledger/statement/", StatementView.as_view(), name="ledger_statement"),
    path("communities/<str:community_id>/ledger/balances/", BalancesView.as_view(), name="ledger_balances"),
    path("communities/<str:community_id>/ledger/settle/", SettleUpView.as_view(), name="ledger_settle"),
    path(
        "communities/<str:community_id>/transfers/<str:transfer_id>/declare-paid/",
        TransferDeclarePaidView.as_view(),
        name="transfer_declare_paid",
    ),
    path(
        "communities/<str:community_id>/transfers/<str:transfer_id>/confirm/",
        TransferConfirmView.as_view(),
        name="transfer_confirm",
    ),
]
