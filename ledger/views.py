"""Ledger pages: my account and statements, community balances, undo, settle-up.

Thin: parse input, call one service or selector, render. ``community_view`` scopes every page to
the viewer's community (404 outside it); actions the viewer may not take answer 403.
"""

import csv
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from colocauto.core.parsers import parse_id
from colocauto.core.web import attempt, attempt_or_message
from colocauto.spreadsheet import csv_dialect as _csv_dialect
from colocauto.spreadsheet import csv_text as _csv_text
from communities.models import User
from ledger import cost_selectors, selectors, services, transfers
from ledger.emails import balances_as_of
from ledger.explain import can_reverse, explain, is_reversed, prepare
from ledger.forms import MonthFilterForm, ReverseForm
from ledger.models import Transfer
from ledger.money import ZERO
from ledger.pdf import statement_pdf
from ledger.posting import community_tz
from ledger.selectors import Statement
from ledger.settle_up import settle_up
from ledger.web import CommunityRequest, View, member_view

# --- My account and statements ---------------------------------------------------------------


def _person(request: CommunityRequest) -> User:
    """The viewer, or with ``?member=<user id>`` anyone who is or was a member here (balances are open)."""
    raw = request.GET.get("member")
    if not raw:
        return request.user
    user_id = parse_id(raw)
    if user_id is None:
        raise Http404
    return selectors.member_get(request.membership, user_id)


def _statement(request: CommunityRequest) -> tuple[User, MonthFilterForm, Statement, list[dict[str, Any]]]:
    """The person's statement (all time, or the month asked for) with each line explained."""
    person = _person(request)
    form = MonthFilterForm(request.GET or None)
    month = form.cleaned_data["month"] if form.is_valid() else None
    statement = selectors.statement_for(request.membership, person, month)
    prepare(line.transaction for line in statement.lines)
    lines = [
        {
            "line": line,
            "text": explain(line.transaction),
            "undone": is_reversed(line.transaction),
            "can_undo": can_reverse(request.membership, line.transaction),
        }
        for line in statement.lines
    ]
    return person, form, statement, lines


def _export_name(request: CommunityRequest, person: User, statement: Statement, extension: str) -> str:
    """E.g. ``colocauto-les-tilleuls-anne-martin-2026-10.csv``: readable in a downloads folder."""
    period = f"{statement.month:%Y-%m}" if statement.month else "all"
    community = slugify(request.community.name) or str(request.community.pk)
    member = slugify(person.name) or str(person.pk)
    return f"colocauto-{community}-{member}-{period}.{extension}"


@member_view
@require_GET
def account(request: CommunityRequest) -> HttpResponse:
    person, form, statement, lines = _statement(request)
    context = {
        "person": person,
        "is_me": person.pk == request.user.pk,
        "balance": selectors.balance_of(request.membership, person),
        "form": form,
        "statement": statement,
        "lines": lines,
        "export_query": request.GET.urlencode(),
        "keep": [] if person.pk == request.user.pk else [("member", person.pk)],
        "total_in": sum((item["line"].amount for item in lines if item["line"].amount > 0), ZERO),
        "total_out": sum((item["line"].amount for item in lines if item["line"].amount < 0), ZERO),
        "pending": cost_selectors.pending_shared_costs_of(request.membership) if person.pk == request.user.pk else None,
    }
    return render(request, "ledger/account.html", context)


@member_view
@require_GET
def statement_csv(request: CommunityRequest) -> HttpResponse:
    person, _form, statement, lines = _statement(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(request, person, statement, "csv")}"'
    response.write("\ufeff")  # lets spreadsheet programs read the accents right
    separator, decimal_mark = _csv_dialect()

    def number(amount: Decimal) -> str:
        return f"{amount:.2f}".replace(".", decimal_mark)

    writer = csv.writer(response, delimiter=separator)
    writer.writerow([_("Date"), _("Kind"), _("Description"), _("Vehicle"), _("Amount"), _("Balance")])
    if statement.month:
        writer.writerow(
            [f"{statement.month:%Y-%m-%d}", "", _("Balance brought forward"), "", "", number(statement.opening)]
        )
    for item in lines:
        line = item["line"]
        writer.writerow(
            [
                f"{line.date:%Y-%m-%d}",
                _csv_text(line.label),
                _csv_text(item["text"]),
                _csv_text(line.vehicle.name if line.vehicle else ""),
                number(line.amount),
                number(line.balance),
            ]
        )
    return response


@member_view
@require_GET
def statement_pdf_view(request: CommunityRequest) -> HttpResponse:
    person, _form, statement, lines = _statement(request)
    pdf = statement_pdf(
        community=request.community,
        person=person,
        statement=statement,
        lines=lines,
        generated_at=timezone.localtime(timezone=community_tz(request.community)),
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(request, person, statement, "pdf")}"'
    return response


def _back(request: CommunityRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@member_view
def transaction_undo(request: CommunityRequest, pk: int) -> HttpResponse:
    """Undo a transaction by posting its reversal (see ``ledger.rules``), with a reason for the history."""
    membership = request.membership
    record = selectors.transaction_get(membership, pk)
    prepare([record])
    back = _back(request, reverse("ledger_account", args=[request.community.pk]))
    if record.kind == record.Kind.REVERSAL or is_reversed(record):
        messages.error(request, _("This line was already undone, or is itself an undo: it cannot be undone."))
        return redirect(back)
    if not can_reverse(membership, record):
        raise PermissionDenied
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if attempt(form, services.transaction_reverse, membership=membership, transaction=record, reason=reason):
            messages.success(request, _("Undone: a reversing line now cancels it, and the history keeps both."))
            return redirect(back)
    context = {"record": record, "text": explain(record), "form": form, "back": back}
    return render(request, "ledger/transaction_undo.html", context, status=400 if form.errors else 200)


# --- Community balances ----------------------------------------------------------------------


@member_view
@require_GET
def balances(request: CommunityRequest) -> HttpResponse:
    rows = selectors.balances_for(request.membership)
    context = {
        "undelivered": selectors.settlement_emails_undelivered(request.membership),
        "rows": rows,
        "total": sum((row.amount for row in rows), ZERO),
        "owed": sum((row.amount for row in rows if row.amount > 0), ZERO),
    }
    return render(request, "ledger/balances.html", context)


# --- Settle up -------------------------------------------------------------------------------


@member_view
@require_GET
def settle(request: CommunityRequest) -> HttpResponse:
    state = settle_up(request.membership)
    context: dict[str, Any] = {"period": state.period, "balance": state.balance}
    if state.period is None:
        context["live_plan"] = state.live_plan
        return render(request, "ledger/settle.html", context)
    context.update(
        {
            "as_of": balances_as_of(state.period),
            "pool_holder": state.pool_holder,
            "pool_without_holder": state.pool_without_holder,
            "to_pay": state.to_pay,
            "to_receive": state.to_receive,
            "plan": state.plan,
            "earlier": state.earlier,
            "settled": state.settled,
        }
    )
    return render(request, "ledger/settle.html", context)


def _transfer_action(service: Callable[..., Transfer], success: str) -> View:
    @member_view
    @require_POST
    def view(request: CommunityRequest, pk: int) -> HttpResponse:
        transfer = selectors.transfer_get(request.membership, pk)
        if attempt_or_message(request, service, membership=request.membership, transfer=transfer):
            messages.success(request, _(success))
        return redirect("ledger_settle", community_id=request.community.pk)

    return view


transfer_declare_paid = _transfer_action(
    transfers.transfer_declare_paid,
    gettext_noop("Thank you: the person you paid is asked to confirm they received it."),
)
transfer_confirm = _transfer_action(
    transfers.transfer_confirm, gettext_noop("Confirmed: the transfer is now in both accounts' history.")
)
