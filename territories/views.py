"""Territory staff pages: the dashboard, the PDF report, the CSV and JSON exports, colleagues, invitations.

Thin: ``territory_view`` scopes each page to a territory the viewer is staff of (404 otherwise), one
selector builds the report, the template shows it.
"""

import json
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from colocauto.core.web import attempt, attempt_or_message
from territories import dashboard, services
from territories.access import remember_staff, territory_view
from territories.exports import export_csv, export_json
from territories.forms import StaffInviteForm
from territories.methodology import SOURCES, constants, sources_for_export
from territories.models import TerritoryInvitation, TerritoryStaff
from territories.pdf import report_pdf
from territories.periods import Period, last_months
from territories.reports import Report
from territories.rollup import ALL_ENERGIES
from territories.selectors import staff_roles_for


@login_required
@require_GET
def territory_list(request):
    roles = staff_roles_for(request.user)
    remember_staff(request, bool(roles))
    if len(roles) == 1:
        return redirect("territory_dashboard", territory_id=roles[0].territory_id)
    return render(request, "territories/territory_list.html", {"roles": roles})


def _report_for(request) -> tuple[Report, Period | None, str]:
    """The report with the period asked for (``?period=2026-Q1``), or the default one and why."""
    return dashboard.report_for(request.territory, request.GET.get("period"), today=timezone.localdate())


def _common_context(request, report: Report, period: Period | None) -> dict:
    return {
        "territory": request.territory,
        "role": request.territory_role,
        "report": report,
        "period": period,
        "thresholds": report.thresholds,
        "share_percent": int(report.thresholds.max_share * 100),
        "constants": constants(),
        "sources": SOURCES,
        "participants": dashboard.participants(report),
    }


@territory_view
@require_GET
def territory_dashboard(request):
    report, period, problem = _report_for(request)
    months = last_months(report.today, 24)
    line = dashboard.headline(report)
    context = _common_context(request, report, period)
    context.update(
        {
            "problem": problem,
            "headline": dashboard.headline_rows(line),
            "headline_current_confidential": line.current.confidential,
            "headline_previous_confidential": line.previous.confidential,
            "summary": dashboard.cell(report, request.territory.pk, ALL_ENERGIES, period) if period else None,
            "headline_first": months[12],
            "headline_last": months[-1],
            "series": dashboard.series(report, months),
            "breakdowns": dashboard.breakdowns(report, period) if period else [],
            "alternatives": dashboard.alternatives(report, period) if period else [],
            "periods": dashboard.choosable_periods(report),
        }
    )
    return render(request, "territories/dashboard.html", context, status=400 if problem else 200)


def _no_period(request, problem: str):
    messages.error(request, problem or _("There is no ended period to report on yet."))
    return redirect("territory_dashboard", territory_id=request.territory.pk)


def _download(request, extension: str, content_type: str, content: Callable[[Report, Period], str | bytes]):
    """A file of the period asked for (``?period=``), named after the territory and the period."""
    report, period, problem = _report_for(request)
    if period is None or problem:
        return _no_period(request, problem)
    response = HttpResponse(content(report, period), content_type=content_type)
    name = f"colocauto-{slugify(report.territory.name) or report.territory.pk}-{period.key}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@territory_view
@require_GET
def territory_pdf(request):
    def pdf(report: Report, period: Period) -> bytes:
        year_months = [Period(day, 1) for day in Period.year(period.start.year).month_starts]
        context = _common_context(request, report, period)
        context.update(
            {
                "series": dashboard.series(report, year_months),
                "summary": dashboard.cell(report, request.territory.pk, ALL_ENERGIES, period),
                "breakdowns": dashboard.breakdowns(report, period),
                "alternatives": dashboard.alternatives(report, period),
                "generated_at": timezone.localtime(),
            }
        )
        return report_pdf(context, base_url=request.build_absolute_uri("/"))

    return _download(request, "pdf", "application/pdf", pdf)


@territory_view
@require_GET
def territory_csv(request):
    return _download(request, "csv", "text/csv; charset=utf-8", export_csv)


@territory_view
@require_GET
def territory_json(request):
    def body(report: Report, period: Period) -> str:
        return json.dumps(export_json(report, period, sources=sources_for_export()), ensure_ascii=False, default=str)

    return _download(request, "json", "application/json; charset=utf-8", body)


# --- Colleagues and invitations ---------------------------------------------------------------


@territory_view
@require_http_methods(["GET", "POST"])
def territory_staff(request):
    role = request.territory_role
    form = StaffInviteForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST":
        if not role.is_admin:
            return render(request, "403.html", status=403)
        if form.is_valid():
            invitation = attempt(
                form, services.staff_invite, territory=request.territory, invited_by=request.user, **form.cleaned_data
            )
            if invitation is not None:
                messages.success(request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email})
                return redirect("territory_staff", territory_id=request.territory.pk)
    colleagues = TerritoryStaff.objects.filter(territory=request.territory).select_related("user").order_by("pk")
    pending = TerritoryInvitation.objects.filter(
        territory=request.territory, accepted_at=None, expires_at__gt=timezone.now()
    ).order_by("-created_at")
    context = {"territory": request.territory, "role": role, "form": form, "colleagues": colleagues}
    context["pending"] = pending if role.is_admin else []
    return render(request, "territories/staff.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def territory_join(request, token):
    invitation = TerritoryInvitation.objects.select_related("territory").filter(token=token[:64]).first()
    if invitation is None:
        return render(request, "territories/join_invalid.html", {"message": _("This link is not valid.")}, status=404)
    unusable = services.invitation_unusable(invitation)
    if unusable is not None:
        return render(request, "territories/join_invalid.html", {"message": unusable.message}, status=410)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = (
        services.invitation_wrong_recipient(invitation=invitation, user=request.user)
        if request.user.is_authenticated
        else None
    )
    if request.method == "POST":
        if refusal is not None:
            messages.error(request, refusal.message)
            return redirect("territory_join", token=token)
        if attempt_or_message(request, services.invitation_accept, invitation=invitation, user=request.user) is None:
            return redirect("territory_join", token=token)
        remember_staff(request, True)
        messages.success(request, _("Welcome to the staff of %(name)s.") % {"name": invitation.territory.name})
        return redirect("territory_dashboard", territory_id=invitation.territory_id)
    context = {
        "invitation": invitation,
        "territory": invitation.territory,
        "refusal": refusal.message if refusal else "",
    }
    return render(request, "territories/join.html", context, status=403 if refusal else 200)
