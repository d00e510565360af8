"""Cost pages: expenses (list, add, undo, receipts), the per-vehicle report and the rate calculator.

Thin, like ``ledger.views``: parse input, call one service or selector, render.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from colocauto.core.clock import next_month
from colocauto.core.parsers import parse_id
from colocauto.core.web import attempt, attempt_or_message
from communities.models import Membership
from ledger import charts, cost_selectors, services
from ledger.calculator import rate_breakdown
from ledger.emails import money_text
from ledger.explain import can_cancel_expense
from ledger.forms import CalculatorForm, ExpenseFilterForm, ExpenseForm, PeriodForm, ReceiptForm, ReverseForm
from ledger.models import Expense
from ledger.posting import local_today
from ledger.receipts import receipt_response
from ledger.rules import may_attach_receipt, require_may_cancel_expense, require_may_handle_receipt
from ledger.web import CommunityRequest, member_view
from vehicles import selectors as vehicle_selectors
from vehicles import services as vehicle_services
from vehicles.models import Vehicle

EXPENSES_PER_PAGE = 50

# --- Expenses --------------------------------------------------------------------------------


@member_view
@require_GET
def expense_list(request: CommunityRequest) -> HttpResponse:
    membership = request.membership
    vehicles = vehicle_selectors.vehicles_for(membership).order_by("name", "pk")
    form = ExpenseFilterForm(request.GET or None, vehicles=vehicles)
    expenses = cost_selectors.expenses_of(membership)
    if form.is_valid():
        if form.cleaned_data["vehicle"]:
            expenses = expenses.filter(vehicle=form.cleaned_data["vehicle"])
        if form.cleaned_data["month"]:
            month = form.cleaned_data["month"]
            expenses = expenses.filter(spent_on__gte=month, spent_on__lt=next_month(month))
        if form.cleaned_data["missing_receipts"]:
            expenses = cost_selectors.receipts_to_follow(expenses)
    page = Paginator(expenses.order_by("-spent_on", "-pk"), EXPENSES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "expense": expense,
            "can_cancel": can_cancel_expense(membership, expense),
            "can_attach": may_attach_receipt(membership, expense),
        }
        for expense in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "vehicles": vehicles,
        "query": query.urlencode(),
        "to_follow": cost_selectors.receipts_to_follow(cost_selectors.expenses_of(membership)).count(),
        "receipt_form": ReceiptForm(),
    }
    return render(request, "ledger/expense_list.html", context)


@member_view
def expense_create(request: CommunityRequest) -> HttpResponse:
    membership = request.membership
    today = local_today(request.community)
    vehicles = vehicle_selectors.vehicles_for(membership).order_by("name", "pk")
    initial = {"spent_on": today, "paid_by": request.user.pk}
    if parse_id(request.GET.get("vehicle")) is not None:
        initial["vehicle"] = parse_id(request.GET["vehicle"])
    elif len(vehicles) == 1:
        initial["vehicle"] = vehicles[0].pk
    form = ExpenseForm(
        request.POST or None,
        request.FILES or None,
        membership=membership,
        vehicles=vehicles,
        members=vehicle_selectors.owner_candidates(membership),
        today=today,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recorded = attempt(
            form,
            services.expense_record,
            membership=membership,
            vehicle=data["vehicle"],
            category=data["category"],
            amount=data["amount"],
            spent_on=data["spent_on"],
            paid_by=data.get("paid_by") or request.user,
            note=data["note"],
            receipt=data["receipt"],
            litres=data["litres"],
            odometer=data["odometer"],
            receipt_to_follow=data["receipt_to_follow"],
        )
        if recorded:
            messages.success(request, _("The expense has been recorded."))
            return redirect("ledger_expenses", community_id=request.community.pk)
    status = 400 if form.errors else 200
    return render(request, "ledger/expense_form.html", {"form": form, "has_vehicles": vehicles.exists()}, status=status)


@member_view
@require_POST
def expense_cancel(request: CommunityRequest, pk: int) -> HttpResponse:
    membership = request.membership
    expense = cost_selectors.expense_get(membership, pk)
    back = reverse("ledger_expenses", args=[request.community.pk])
    require_may_cancel_expense(membership, expense)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you undo this expense, so the history explains it."))
        return redirect(back)
    reason = form.cleaned_data["reason"]
    if attempt_or_message(request, services.expense_cancel, membership=membership, expense=expense, reason=reason):
        messages.success(request, _("The expense has been undone; the history keeps it, crossed out."))
    return redirect(back)


@member_view
@require_POST
def expense_receipt_attach(request: CommunityRequest, pk: int) -> HttpResponse:
    """Add the receipt of an expense saved as "receipt to follow"."""
    membership = request.membership
    expense = cost_selectors.expense_get(membership, pk)
    require_may_handle_receipt(membership, expense)
    form = ReceiptForm(request.POST, request.FILES)
    back = reverse("ledger_expenses", args=[request.community.pk])
    if not form.is_valid():
        messages.error(request, _("Choose the receipt's file: a photo (JPEG, PNG, WebP) or a PDF."))
        return redirect(back)
    receipt = form.cleaned_data["receipt"]
    if attempt_or_message(
        request, services.expense_attach_receipt, membership=membership, expense=expense, receipt=receipt
    ):
        messages.success(request, _("The receipt has been added."))
    return redirect(back)


@member_view
@require_GET
def expense_receipt(request: CommunityRequest, pk: int) -> FileResponse:
    """The receipt, only for members of the expense's community: uploaded files are never public."""
    expense = cost_selectors.expense_get(request.membership, pk)
    return receipt_response(expense.receipt)


# --- Per-vehicle report ----------------------------------------------------------------------


def _year_start(today: date) -> date:
    """The first day of the twelve months that end today."""
    return today - timedelta(days=364)


@member_view
@require_GET
def vehicle_report(request: CommunityRequest, vehicle_id: int) -> HttpResponse:
    membership = request.membership
    today = local_today(request.community)
    default = {"start": _year_start(today), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET or "end" in request.GET else None, initial=default)
    period = form.cleaned_data if form.is_bound and form.is_valid() else default
    report = cost_selectors.vehicle_report(membership, vehicle_id, start=period["start"], end=period["end"])
    can_manage = vehicle_selectors.can_manage(membership, report.vehicle)
    costs_chart, km_chart = charts.vehicle_charts(membership, report.vehicle, report.start, report.end)
    context = {
        "form": form,
        "report": report,
        "can_manage": can_manage,
        "costs_chart": costs_chart,
        "km_chart": km_chart,
    }
    return render(request, "ledger/vehicle_report.html", context, status=400 if form.errors else 200)


# --- Rate calculator -------------------------------------------------------------------------


def _calculator_initial(membership: Membership, vehicle: Vehicle) -> dict[str, Decimal | int]:
    """Start from the vehicle's last 12 months: its yearly expenses by kind and its km."""
    today = local_today(membership.community)
    report = cost_selectors.vehicle_report(membership, vehicle.pk, start=_year_start(today), end=today)
    by_category = {category: amount for category, _label, amount in report.costs_by_category}
    initial: dict[str, Decimal | int] = {
        "insurance": by_category.get(Expense.Category.INSURANCE, Decimal("0.00")),
        "maintenance": by_category.get(Expense.Category.MAINTENANCE, Decimal("0.00"))
        + by_category.get(Expense.Category.REPAIR, Decimal("0.00")),
        "tax": by_category.get(Expense.Category.TAX, Decimal("0.00")),
        "resale_value": Decimal("0.00"),
    }
    if report.km:
        initial["km_per_year"] = report.km
    return initial


@member_view
def calculator(request: CommunityRequest) -> HttpResponse:
    """Owners and admins: a fair rate per km from the car's costs; "apply" sets the vehicle's rate."""
    membership = request.membership
    managed = [v for v in vehicle_selectors.vehicles_for(membership) if vehicle_selectors.can_manage(membership, v)]
    if not managed:
        raise PermissionDenied
    raw = request.POST.get("vehicle") or request.GET.get("vehicle")
    if raw is None:
        return render(request, "ledger/calculator.html", {"managed": managed, "vehicle": None})
    vehicle_id = parse_id(raw)
    if vehicle_id is None:
        raise Http404
    vehicle = vehicle_selectors.vehicle_get(membership, vehicle_id)
    if not vehicle_selectors.can_manage(membership, vehicle):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET if "km_per_year" in request.GET else None)
    form = CalculatorForm(data, initial=_calculator_initial(membership, vehicle), fuel_unit=vehicle.fuel_unit)
    breakdown = rate_breakdown(form.costs()) if form.is_bound and form.is_valid() else None
    if request.method == "POST" and breakdown is not None:
        rate = {"rate_per_km": breakdown.suggested_rate}
        if attempt_or_message(
            request, vehicle_services.vehicle_update, membership=membership, vehicle=vehicle, data=rate
        ):
            messages.success(
                request,
                _("%(name)s now costs %(rate)s per km to drivers.")
                % {"name": vehicle.name, "rate": money_text(breakdown.suggested_rate)},
            )
            return redirect(f"{reverse('ledger_calculator', args=[request.community.pk])}?vehicle={vehicle.pk}")
    context = {
        "managed": managed,
        "vehicle": vehicle,
        "form": form,
        "breakdown": breakdown,
        "cost_model": vehicle_selectors.cost_model_schedule(vehicle),
    }
    return render(request, "ledger/calculator.html", context, status=400 if form.errors else 200)
