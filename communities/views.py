from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookings import selectors as booking_selectors
from colocauto.core.parsers import parse_id
from colocauto.core.web import attempt, attempt_or_message, offline_copy
from communities import inactivity, invitations, onboarding, rules, selectors, services
from communities.access import community_view
from communities.forms import (
    CommunityForm,
    CommunitySettingsForm,
    InvitationEmailForm,
    InvitationForm,
    LeaveForm,
    ProfileForm,
)
from communities.middleware import set_language_cookie
from ledger.leaving import member_leave
from ledger.member_activity import quiet_members
from ledger.selectors import own_balance
from ledger.settle_up import my_open_moves


def home(request):
    """Signed-in users see their communities; visitors see what Colocauto is."""
    if not request.user.is_authenticated:
        return render(request, "communities/landing.html")
    memberships = list(selectors.home_memberships_for(request.user))
    return render(
        request,
        "communities/home.html",
        {
            "memberships": memberships,
            # The same memberships fill the community switcher: no second query for it.
            "my_memberships": memberships,
            "pending": selectors.pending_requests_for_user(request.user),
        },
    )


@login_required
@require_GET
def community_switch(request):
    community_id = parse_id(request.GET.get("community"))
    if community_id is not None:
        return redirect("community_detail", community_id=community_id)
    return redirect("home")


@require_POST
def language_set(request):
    """Switch the interface language; for a signed-in user it also becomes the profile's language."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        services.language_set(user=request.user, language=language)
        translation.activate(language)
        set_language_cookie(response, language)
    return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, data=form.cleaned_data)
        translation.activate(request.user.language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        set_language_cookie(response, request.user.language)
        return response
    return render(
        request,
        "communities/profile.html",
        {"form": form, "personal_feed": booking_selectors.personal_feed(request.user)},
    )


# --- Communities -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def community_create(request):
    form = CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        community = attempt(form, services.community_create, user=request.user, data=form.cleaned_data)
        if community is not None:
            messages.success(request, _("Your community has been created. Invite your neighbours!"))
            return redirect("community_detail", community_id=community.pk)
    return render(request, "communities/community_form.html", {"form": form})


# How many rows each card of the overview lists; the full lists are one link away.
OVERVIEW_ROWS = 3


def _first_rows(queryset, count: int = OVERVIEW_ROWS) -> tuple[list, bool]:
    """The first ``count`` rows and whether there are more, in one query (one row too many is read)."""
    rows = list(queryset[: count + 1])
    return rows[:count], len(rows) > count


@offline_copy
@community_view
@require_GET
def community_detail(request):
    """The member's dashboard: balance, what comes next, what waits for them; then the community's rules."""
    membership = request.membership
    next_bookings, more_bookings = _first_rows(booking_selectors.upcoming_bookings(membership))
    to_record, more_to_record = _first_rows(booking_selectors.bookings_awaiting_trip(membership))
    to_decide, more_to_decide = _first_rows(booking_selectors.requests_awaiting_decision(membership))
    return render(
        request,
        "communities/community_detail.html",
        {
            "community": request.community,
            "membership": membership,
            "member_count": selectors.members_of(membership).count(),
            "balance": own_balance(membership),
            "next_bookings": next_bookings,
            "more_bookings": more_bookings,
            "to_record": to_record,
            "more_to_record": more_to_record,
            "to_decide": to_decide,
            "more_to_decide": more_to_decide,
            "pending_count": selectors.pending_requests_of(membership).count() if membership.is_admin else 0,
            "inactivity": selectors.own_inactivity(membership),
            "checklist": onboarding.checklist_shown(membership),
        },
    )


@community_view
@require_POST
def checklist_hide(request):
    if attempt_or_message(request, services.checklist_hide, membership=request.membership) is not None:
        messages.success(request, _("The setup list is hidden."))
    return redirect("community_detail", community_id=request.community.pk)


@community_view(admin=True)
@require_http_methods(["GET", "POST"])
def community_edit(request):
    form = CommunitySettingsForm(request.POST or None, instance=request.community)
    if request.method == "POST" and form.is_valid():
        community = attempt(form, services.community_update, actor=request.membership, data=form.cleaned_data)
        if community is not None:
            messages.success(request, _("The community's settings have been saved."))
            return redirect("community_detail", community_id=community.pk)
    return render(request, "communities/community_edit.html", {"form": form})


@community_view
@require_http_methods(["GET", "POST"])
def community_leave(request):
    membership = request.membership
    if request.method == "POST":
        form = LeaveForm(request.POST)
        leave = form.is_valid() and form.cleaned_data["leave_balance"]
        if attempt_or_message(request, member_leave, membership=membership, leave_balance=leave) is None:
            return redirect("community_leave", community_id=request.community.pk)
        messages.success(request, _("You have left %(name)s.") % {"name": request.community.name})
        return redirect("home")
    balance = own_balance(membership)
    context = {
        "last_admin": rules.is_last_admin(membership),
        "balance": balance,
        "moves": my_open_moves(membership) if balance else [],
    }
    return render(request, "communities/community_leave.html", context)


# --- Members ---------------------------------------------------------------------------------


@community_view
@require_GET
def member_list(request):
    membership = request.membership
    members = list(selectors.member_list_of(membership))
    return render(
        request,
        "communities/member_list.html",
        {
            "members": members,
            # A community keeps at least one admin: the only one is not offered a "Make member" button.
            "single_admin": any(rules.is_last_admin(m, among=members) for m in members),
            "pending": selectors.pending_requests_of(membership) if membership.is_admin else [],
            "quiet": quiet_members(membership) if membership.is_admin else [],
        },
    )


def _member_action(service, success_message):
    @community_view(admin=True)
    @require_POST
    def view(request, pk):
        other = selectors.member_get(request.membership, pk)
        if attempt_or_message(request, service, actor=request.membership, membership=other) is not None:
            messages.success(request, _(success_message) % {"name": other.user.name})
        return redirect("member_list", community_id=request.community.pk)

    return view


# The messages are translated when shown; gettext_noop marks them for the catalogue.
member_approve = _member_action(services.membership_approve, gettext_noop("%(name)s is now a member."))
member_reject = _member_action(
    services.membership_reject, gettext_noop("The request of %(name)s to join has been rejected.")
)
member_promote = _member_action(services.membership_promote, gettext_noop("%(name)s is now an admin."))
member_demote = _member_action(services.membership_demote, gettext_noop("%(name)s is no longer an admin."))
member_remove = _member_action(
    services.membership_remove, gettext_noop("%(name)s has been removed from the community.")
)
member_inactivate = _member_action(
    inactivity.membership_mark_inactive,
    gettext_noop("%(name)s is marked inactive from next month: they no longer share the fixed costs."),
)
member_reactivate = _member_action(
    inactivity.membership_reactivate,
    gettext_noop("%(name)s is active again: they share the fixed costs from next month."),
)


# --- Invitations -----------------------------------------------------------------------------


@community_view(admin=True)
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = attempt(form, invitations.invitation_create, actor=request.membership, **form.cleaned_data)
        if invitation is not None:
            messages.success(request, _("The invitation link is ready: copy it and share it with your neighbours."))
            return redirect(f"{reverse('invitation_list', args=[request.community.pk])}#invitation-{invitation.pk}")
    return render(
        request,
        "communities/invitation_list.html",
        {
            "form": form,
            "invitations": selectors.invitations_of(request.membership),
            "site_root": request.build_absolute_uri("/").rstrip("/"),
        },
    )


@community_view(admin=True)
@require_http_methods(["GET", "POST"])
def invitation_email(request):
    form = InvitationEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = attempt(form, invitations.invitation_send_by_email, actor=request.membership, **form.cleaned_data)
        if sent is not None:
            messages.success(
                request, _("An invitation has been sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("invitation_list", community_id=request.community.pk)
    return render(request, "communities/invitation_email.html", {"form": form})


@community_view(admin=True)
@require_POST
def invitation_revoke(request, pk):
    invitation = selectors.invitation_get_for_admin(request.membership, pk)
    if attempt_or_message(request, invitations.invitation_revoke, actor=request.membership, invitation=invitation):
        messages.success(request, _("The invitation has been revoked: its link no longer works."))
    return redirect("invitation_list", community_id=request.community.pk)


@require_http_methods(["GET", "POST"])
def invitation_join(request, token):
    """The page behind an invitation link: explains the community, then asks to join it."""
    invitation = selectors.invitation_find_by_token(token)
    if invitation is None:
        return render(request, "communities/invitation_invalid.html", {"reason": "unknown"}, status=404)
    unusable = invitations.invitation_unusable(invitation)
    if unusable is not None:
        return render(
            request,
            "communities/invitation_invalid.html",
            {"reason": unusable.reason, "message": unusable.message, "community": invitation.community},
            status=unusable.status_code,
        )
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    wrong_recipient = (
        invitations.invitation_wrong_recipient(user=request.user, invitation=invitation)
        if request.user.is_authenticated
        else None
    )
    if request.method == "POST":
        return _join(request, invitation, refusal=wrong_recipient)
    existing = selectors.membership_of(request.user, invitation.community)
    refusal = wrong_recipient.message if wrong_recipient is not None and existing is None else None
    return render(
        request,
        "communities/invitation_join.html",
        {
            "invitation": invitation,
            "community": invitation.community,
            "existing": existing,
            "refusal": refusal,
        },
        status=403 if refusal else 200,
    )


def _join(request, invitation, *, refusal):
    """Ask to join; a refusal (another account's link, already a member, used up meanwhile) is shown on
    the invitation page."""
    membership = None
    if refusal is not None:
        messages.error(request, refusal.message)
    else:
        membership = attempt_or_message(
            request, invitations.invitation_accept, user=request.user, invitation=invitation
        )
    if membership is None:
        return redirect("invitation_join", token=invitation.token)
    name = invitation.community.name
    if membership.is_active:
        messages.success(request, _("Welcome to %(name)s!") % {"name": name})
        return redirect("community_detail", community_id=invitation.community_id)
    messages.success(
        request, _("Your request to join %(name)s has been sent. An admin will approve it soon.") % {"name": name}
    )
    return redirect("home")
