"""The community admins' page: share anonymised figures with a territory, and the open-data choices.

Lives with the territories (an outer layer) although it sits in the community's settings area:
the communities app knows nothing of territories.
"""

from collections.abc import Callable

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
def community_consent_grant(request):
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
def community_consent_withdraw(request, pk):
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


def _save_choice(request, form_class, form_name: str, save: Callable[[dict], object], done: str):
    """A settings form of the page: saved with ``save(cleaned_data)``, or the page again with its errors."""
    form = form_class(request.POST)
    if not form.is_valid():
        return _page(request, **{form_name: form})
    save(form.cleaned_data)
    messages.success(request, done)
    return redirect("community_sharing", community_id=request.community.pk)


@community_view(admin=True)
@require_POST
def community_open_data(request):
    def save(data: dict) -> object:
        return services.open_data_set(
            membership=request.membership, listed=data["open_data_listed"], live=data["open_data_live"]
        )

    return _save_choice(request, OpenDataForm, "open_data_form", save, _("Your open-data choices have been saved."))


@community_view(admin=True)
@require_POST
def community_insee_code(request):
    def save(data: dict) -> object:
        return services.insee_code_set(membership=request.membership, insee_code=data["insee_code"].upper())

    return _save_choice(request, InseeCodeForm, "insee_form", save, _("The commune's INSEE code has been saved."))
