"""Ledger pages: my account and statements, community balances, undo, settle-up.

Thin: parse input, call one service or selector, render. ``community_view`` scopes every page to
the viewer's community (404 outside it); actions the viewer may not take answer 403.
"""

import csv
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from colocauto.core.clock import month_start, next_month, previous_month
from colocauto.core.parsers import parse_id
from colocauto.core.web import attempt, attempt_or_message, offline_copy
from colocauto.spreadsheet import csv_dialect as _csv_dialect
from colocauto.spreadsheet import csv_text as _csv_text
from communities.models import User
from ledger import charts, cost_selectors, selectors, services, statement_selectors, transfers
from ledger.emails import balances_as_of
from ledger.explain import can_reverse, explain, is_reversed, prepare
from ledger.forms import ReverseForm, StatementExportForm, StatementForm
from ledger.models import Transfer
from ledger.money import ZERO
from ledger.pdf import statement_pdf
from ledger.posting import community_tz, local_today
from ledger.settle_up import settle_up
from ledger.statement_selectors import LinePosition, Statement, StatementLine
from ledger.web import CommunityRequest, View, member_view

# --- My account and statements ---------------------------------------------------------------

# A PDF is built whole in memory (WeasyPrint): a longer window is refused with a pointer to a year or the CSV.
MAX_PDF_LINES = 2000


def _person(request: CommunityRequest) -> User:
    """The viewer, or with ``?member=<user id>`` anyone who is or was a member here (balances are open)."""
    raw = request.GET.get("member")
    if not raw:
        return request.user
    user_id = parse_id(raw)
    if user_id is None:
        raise Http404
    return selectors.member_get(request.membership, user_id)


def _explained(request: CommunityRequest, statement: Statement) -> list[dict[str, Any]]:
    """Each line of the statement (or page) with what explains it, read in a fixed number of queries."""
    prepare(line.transaction for line in statement.lines)
    return [
        {
            "line": line,
            "text": explain(line.transaction),
            "undone": is_reversed(line.transaction),
            "can_undo": can_reverse(request.membership, line.transaction),
        }
        for line in statement.lines
    ]


def _link(keep: list[tuple[str, Any]], **params: Any) -> str:
    """A query string of "My account" that keeps whose statement it is."""
    return "?" + urlencode([*keep, *((name, value) for name, value in params.items() if value is not None)])


def _window(form: StatementExportForm) -> tuple[date | None, date | None]:
    """The export's window: a month, a calendar year, or (None, None) for every line."""
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("month"):
        return data["month"], next_month(data["month"])
    if data.get("year"):
        return date(data["year"], 1, 1), date(data["year"] + 1, 1, 1)
    return None, None


def _export_name(request: CommunityRequest, person: User, statement: Statement, extension: str) -> str:
    """E.g. ``colocauto-les-tilleuls-anne-martin-2026-10.csv``: readable in a downloads folder."""
    if statement.month:
        period = f"{statement.month:%Y-%m}"
    elif statement.year:
        period = str(statement.year)
    else:
        period = "all"
    community = slugify(request.community.name) or str(request.community.pk)
    member = slugify(person.name) or str(person.pk)
    return f"colocauto-{community}-{member}-{period}.{extension}"


@offline_copy
@member_view
@require_GET
def account(request: CommunityRequest) -> HttpResponse:
    """A person's account: the balance, then the statement of one month (the current one unless another is
    asked for) with links to the months around it, or every line since the start a page at a time."""
    person = _person(request)
    is_me = person.pk == request.user.pk
    keep: list[tuple[str, Any]] = [] if is_me else [("member", person.pk)]
    form = StatementForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    this_month = month_start(local_today(request.community))
    view_all = bool(data.get("all"))
    month = None if view_all else (data.get("month") or this_month)
    after = LinePosition.parse(data.get("after"))
    before = None if after else LinePosition.parse(data.get("before"))
    statement = statement_selectors.statement_page(
        request.membership,
        person,
        since=month,
        until=next_month(month) if month else None,
        after=after,
        before=before,
    )
    lines = _explained(request, statement)
    first_day = statement_selectors.statement_first_day(statement.account_id)
    page: dict[str, Any] = {"all": 1} if view_all else {"month": f"{month:%Y-%m}"}
    context = {
        "person": person,
        "is_me": is_me,
        "balance": selectors.balance_of(request.membership, person),
        "balance_chart": charts.balance_chart(request.membership, person, local_today(request.community)),
        "form": form,
        "statement": statement,
        "lines": lines,
        "view_all": view_all,
        "keep": keep,
        "this_month": this_month,
        "this_month_url": _link(keep),
        "all_url": _link(keep, all=1),
        "earlier_url": _link(keep, **page, before=statement.earlier) if statement.earlier else None,
        "later_url": _link(keep, **page, after=statement.later) if statement.later else None,
        "csv_query": urlencode([*keep, *([] if view_all else [("month", f"{month:%Y-%m}")])]),
        "pdf_years": range(local_today(request.community).year, first_day.year - 1, -1) if first_day else [],
        "total_in": sum((item["line"].amount for item in lines if item["line"].amount > 0), ZERO),
        "total_out": sum((item["line"].amount for item in lines if item["line"].amount < 0), ZERO),
        "pending": cost_selectors.pending_shared_costs_of(request.membership) if is_me else None,
    }
    if month is not None:
        earlier_month, later_month = previous_month(month), next_month(month)
        context["previous_month"] = earlier_month if first_day and first_day < month else None
        context["previous_url"] = _link(keep, month=f"{earlier_month:%Y-%m}")
        context["next_month"] = later_month if later_month <= this_month else None
        context["next_url"] = _link(keep, month=f"{later_month:%Y-%m}")
    return render(request, "ledger/account.html", context)


def _csv_rows(statement: Statement, chunks: Iterator[list[StatementLine]]) -> Iterator[str]:
    """The statement as CSV text, a chunk of lines at a time: memory stays bounded whatever the history."""
    separator, decimal_mark = _csv_dialect()
    buffer = _Echo()
    writer = csv.writer(buffer, delimiter=separator)

    def number(amount: Decimal) -> str:
        return f"{amount:.2f}".replace(".", decimal_mark)

    yield "\ufeff"  # lets spreadsheet programs read the accents right
    yield writer.writerow([_("Date"), _("Kind"), _("Description"), _("Vehicle"), _("Amount"), _("Balance")])
    if statement.since:
        yield writer.writerow(
            [f"{statement.since:%Y-%m-%d}", "", _("Balance brought forward"), "", "", number(statement.opening)]
        )
    for chunk in chunks:
        prepare(line.transaction for line in chunk)
        yield "".join(
            writer.writerow(
                [
                    f"{line.date:%Y-%m-%d}",
                    _csv_text(line.label),
                    _csv_text(explain(line.transaction)),
                    _csv_text(line.vehicle.name if line.vehicle else ""),
                    number(line.amount),
                    number(line.balance),
                ]
            )
            for line in chunk
        )


class _Echo:
    """A file-like object whose ``write`` hands the text back, for ``csv.writer`` in a streamed response."""

    def write(self, value: str) -> str:
        return value


def _in_current_language(rows: Iterator[str]) -> Iterator[str]:
    """Rows rendered while the response streams, after the middlewares returned: in the language and time
    zone of the request (read now, when the view runs), as the page would be."""
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def rendered() -> Iterator[str]:
        with translation.override(language), timezone.override(zone):
            yield from rows

    return rendered()


@member_view
@require_GET
def statement_csv(request: CommunityRequest) -> StreamingHttpResponse:
    """The month, the year or every line since the start (without either), streamed as it is read."""
    person = _person(request)
    since, until = _window(StatementExportForm(request.GET or None))
    statement, chunks = statement_selectors.statement_chunks(request.membership, person, since=since, until=until)
    rows = _in_current_language(_csv_rows(statement, chunks))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(request, person, statement, "csv")}"'
    return response


@member_view
@require_GET
def statement_pdf_view(request: CommunityRequest) -> HttpResponse:
    """A month's or a year's PDF; every line since the start while the history fits in MAX_PDF_LINES lines
    (longer histories are asked to pick a year: a PDF is built whole in memory)."""
    person = _person(request)
    form = StatementExportForm(request.GET or None)
    since, until = _window(form)
    statement, chunks = statement_selectors.statement_chunks(request.membership, person, since=since, until=until)
    lines: list[StatementLine] = []
    for chunk in chunks:
        lines += chunk
        if len(lines) > MAX_PDF_LINES:
            messages.error(
                request,
                _(
                    "This statement has more than %(count)s lines, too many for one PDF: choose a year "
                    "(or a month), or download every line as CSV."
                )
                % {"count": formats.number_format(MAX_PDF_LINES, force_grouping=True)},
            )
            back = reverse("ledger_account", args=[request.community.pk])
            member = [] if person.pk == request.user.pk else [("member", person.pk)]
            return redirect(back + _link(member, all=1) + "#statement-exports")
    statement.lines = lines
    pdf = statement_pdf(
        community=request.community,
        person=person,
        statement=statement,
        lines=_explained(request, statement),
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
        "activity": charts.community_charts(request.membership, local_today(request.community)),
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
