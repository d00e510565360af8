"""The community admins' page: share anonymised figures with a territory, and the open-data choices.

Lives with the territories (an outer layer) although it sits in the community's settings area:
the communities app knows nothing of territories.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from colocauto.core.parsers import parse_id
from colocauto.core.web import attempt_or_message
from communities.access import community_view
from territories import services
from territories.forms import ConsentForm, InseeCodeForm, OpenDataForm, TerritorySearchForm
from territories.models import TerritoryConsent
from territories.reports import report_thresholds
from territories.selectors import consents_of, territories_matching


def _page(request, **forms):
    community = request.community
    search = TerritorySearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    consents = list(consents_of(community.pk))
    active_ids = {consent.territory_id for consent in consents if consent.is_active}
    thresholds = report_thresholds()
    context = {
        "community": community,
        "search": search,
        "query": query,
        "matches": [t for t in territories_matching(query, insee_code=community.insee_code) if t.pk not in active_ids],
        "consents": consents,
        "active": [consent for consent in consents if consent.is_active],
        "open_data_form": forms.get("open_data_form")
        or OpenDataForm(
            initial={"open_data_listed": community.open_data_listed, "open_data_live": community.open_data_live}
        ),
        "insee_form": forms.get("insee_form") or InseeCodeForm(initial={"insee_code": community.insee_code}),
        "thresholds": thresholds,
        "share_percent": int(thresholds.max_share * 100),
    }
    status = 400 if any(form.errors for form in forms.values()) else 200
    return render(request, "territories/community_sharing.html", context, status=status)


@community_view(admin=True)
@require_GET
def community_sharing(request):
    return _page(request)


@community_view(admin=True)
@require_POST
def consent_grant(request):
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick a territory in the list."))
        return redirect("community_sharing", community_id=request.community.pk)
    territory = form.cleaned_data["territory"]
    if attempt_or_message(request, services.consent_grant, membership=request.membership, territory=territory):
        messages.success(
            request,
            _("%(community)s now shares its anonymised figures with %(territory)s.")
            % {"community": request.community.name, "territory": territory.name},
        )
    return redirect("community_sharing", community_id=request.community.pk)


@community_view(admin=True)
@require_POST
def consent_withdraw(request, pk):
    consent = TerritoryConsent.objects.filter(pk=parse_id(pk) or 0, community=request.community).first()
    if consent is None:
        raise Http404
    if attempt_or_message(request, services.consent_withdraw, membership=request.membership, consent=consent):
        messages.success(
            request,
            _(
                "Sharing with %(territory)s has stopped: the community is left out of its reports from now on. "
                "Reports and files the territory has already downloaded are not recalled."
            )
            % {"territory": consent.territory.name},
        )
    return redirect("community_sharing", community_id=request.community.pk)


@community_view(admin=True)
@require_POST
def open_data(request):
    form = OpenDataForm(request.POST)
    if not form.is_valid():
        return _page(request, open_data_form=form)
    services.open_data_set(
        membership=request.membership,
        listed=form.cleaned_data["open_data_listed"],
        live=form.cleaned_data["open_data_live"],
    )
    messages.success(request, _("Your open-data choices have been saved."))
    return redirect("community_sharing", community_id=request.community.pk)


@community_view(admin=True)
@require_POST
def insee_code(request):
    form = InseeCodeForm(request.POST)
    if not form.is_valid():
        return _page(request, insee_form=form)
    services.insee_code_set(membership=request.membership, insee_code=form.cleaned_data["insee_code"].upper())
    messages.success(request, _("The commune's INSEE code has been saved."))
    return redirect("community_sharing", community_id=request.community.pk)
