"""Community e-mails — invitations, membership requests and answers — sent once through the outbox
(colocauto/outbox.py) by the tasks in ``communities.tasks`` and by the periodic sweep."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from colocauto.core import outbox
from colocauto.core.mail import HasLanguage, text_email
from communities.models import Inactivity, Invitation, Membership, User


def _absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _message(*, to: str, recipient: HasLanguage | None, template: str, context: dict) -> EmailMessage:
    """The e-mail ``template`` in the recipient's language (the site's default language for no one)."""
    return text_email(recipient, f"emails/communities/{template}", context, to)


def invitation_email_deliver(*, invitation_id: int) -> bool:
    """Send an e-mail invitation once, through the outbox; a second call (retry, duplicate task) sends nothing."""
    invitations = Invitation.objects.filter(pk=invitation_id).exclude(email="")

    def messages():
        invitation = invitations.select_related("community", "created_by").first()
        if invitation is None:
            return
        recipient = User.objects.filter(email__iexact=invitation.email).first()
        inviter = invitation.created_by
        context = {
            "invitation": invitation,
            "community": invitation.community,
            "inviter_name": inviter.name if inviter else "",
            "join_url": _absolute_url(reverse("invitation_join", kwargs={"token": invitation.token})),
            "expires_at": invitation.expires_at,
        }
        yield 0, _message(to=invitation.email, recipient=recipient or inviter, template="invitation", context=context)

    return outbox.deliver(invitations, claimed="email_claimed_at", done="email_sent_at", messages=messages) == 1


def membership_request_notify(*, membership_id: int) -> int:
    """Tell the community's admins (who want it) once that someone asks to join; returns e-mails sent."""
    requests = Membership.objects.filter(pk=membership_id, status=Membership.Status.PENDING)

    def messages():
        membership = requests.select_related("community", "user").first()
        if membership is None:
            return
        admins = User.objects.filter(
            memberships__community_id=membership.community_id,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role=Membership.Role.ADMIN,
            notify_community=True,
            is_active=True,
        ).order_by("pk")
        members_url = _absolute_url(reverse("member_list", kwargs={"community_id": membership.community_id}))
        for admin in admins:
            context = {
                "admin": admin,
                "community": membership.community,
                "applicant": membership.user,
                "membership": membership,
                "members_url": members_url,
            }
            yield (
                admin.pk,
                _message(to=admin.email, recipient=admin, template="membership_request", context=context),
            )

    return outbox.deliver(
        requests,
        claimed="request_claimed_at",
        done="request_notified_at",
        progress="request_notified_to",
        messages=messages,
    )


def _decisions_to_tell():
    """Requests answered by an admin (not a community's creator, who decided their own membership)."""
    decided = [Membership.Status.ACTIVE, Membership.Status.REJECTED]
    return Membership.objects.filter(status__in=decided).exclude(decided_by=None).exclude(decided_by=F("user"))


def membership_decision_notify(*, membership_id: int) -> bool:
    """Tell the applicant once, in their language, that an admin approved or rejected their request."""
    decisions = _decisions_to_tell().filter(pk=membership_id)

    def messages():
        membership = decisions.select_related("community", "user").first()
        if membership is None or not membership.user.is_active:
            return
        applicant = membership.user
        context = {
            "applicant": applicant,
            "membership": membership,
            "community": membership.community,
            "community_url": _absolute_url(
                reverse("community_detail", kwargs={"community_id": membership.community_id})
            ),
            "home_url": _absolute_url(reverse("home")),
        }
        template = "membership_approved" if membership.status == Membership.Status.ACTIVE else "membership_rejected"
        yield (
            applicant.pk,
            _message(to=applicant.email, recipient=applicant, template=template, context=context),
        )

    return outbox.deliver(decisions, claimed="decision_claimed_at", done="decision_notified_at", messages=messages) == 1


def _inactivities_to_tell():
    """Inactive periods still open whose member is still active: once reactivated, the notice is moot."""
    return Inactivity.objects.filter(ends_on__isnull=True, membership__status=Membership.Status.ACTIVE)


def inactivity_notice_deliver(*, inactivity_id: int) -> bool:
    """Tell the member once, in their language, that an admin marked them inactive from a month, and how to be
    active again."""
    return _tell_member(
        _inactivities_to_tell().filter(pk=inactivity_id),
        template="member_inactive",
        claimed="notice_claimed_at",
        done="notice_sent_at",
        context=lambda inactivity: {"months": inactivity.membership.community.inactivity_months},
    )


def _returns_to_tell():
    """Inactive periods ended (by an admin, or by the member's booking) whose member is still active."""
    return Inactivity.objects.filter(ends_on__isnull=False, membership__status=Membership.Status.ACTIVE)


def active_again_notice_deliver(*, inactivity_id: int) -> bool:
    """Tell the member once, in their language, that they share the fixed costs again from a month."""
    return _tell_member(
        _returns_to_tell().filter(pk=inactivity_id),
        template="member_active_again",
        claimed="end_notice_claimed_at",
        done="end_notice_sent_at",
        context=lambda inactivity: {"by_booking": inactivity.ended_by_id == inactivity.membership.user_id},
    )


def _tell_member(rows, *, template: str, claimed: str, done: str, context) -> bool:
    """One e-mail about an inactive period to its member (the outbox's claim and mark on ``claimed`` and
    ``done``), with the period, the community's link and what ``context(inactivity)`` adds."""

    def messages():
        inactivity = rows.select_related("membership__community", "membership__user").first()
        if inactivity is None or not inactivity.membership.user.is_active:
            return
        member, community = inactivity.membership.user, inactivity.membership.community
        values = {
            "member": member,
            "community": community,
            "inactivity": inactivity,
            "community_url": _absolute_url(reverse("community_detail", kwargs={"community_id": community.pk})),
            **context(inactivity),
        }
        yield member.pk, _message(to=member.email, recipient=member, template=template, context=values)

    return outbox.deliver(rows, claimed=claimed, done=done, messages=messages) == 1


def notices_sweep() -> int:
    """Send the invitations, request and answer e-mails still due: the broker was down, or a sender died."""
    now = timezone.now()
    recent = now - outbox.NOTICE_HORIZON
    invitations = outbox.due(
        Invitation.objects.exclude(email="").filter(revoked_at=None, expires_at__gt=now),
        claimed="email_claimed_at",
        done="email_sent_at",
    )
    requests = outbox.due(
        Membership.objects.filter(status=Membership.Status.PENDING),
        claimed="request_claimed_at",
        done="request_notified_at",
    )
    decisions = outbox.due(
        _decisions_to_tell().filter(Q(joined_at__gte=recent) | Q(ended_at__gte=recent)),
        claimed="decision_claimed_at",
        done="decision_notified_at",
    )
    inactivities = outbox.due(
        _inactivities_to_tell().filter(marked_at__gte=recent), claimed="notice_claimed_at", done="notice_sent_at"
    )
    returns = outbox.due(
        _returns_to_tell().filter(ended_at__gte=recent), claimed="end_notice_claimed_at", done="end_notice_sent_at"
    )
    return (
        outbox.sweep(
            invitations.values_list("pk", flat=True),
            lambda pk: invitation_email_deliver(invitation_id=pk),
            what="Invitation",
        )
        + outbox.sweep(
            requests.values_list("pk", flat=True),
            lambda pk: membership_request_notify(membership_id=pk),
            what="Membership request",
        )
        + outbox.sweep(
            decisions.values_list("pk", flat=True),
            lambda pk: membership_decision_notify(membership_id=pk),
            what="Membership decision",
        )
        + outbox.sweep(
            inactivities.values_list("pk", flat=True),
            lambda pk: inactivity_notice_deliver(inactivity_id=pk),
            what="Inactivity notice",
        )
        + outbox.sweep(
            returns.values_list("pk", flat=True),
            lambda pk: active_again_notice_deliver(inactivity_id=pk),
            what="Active again notice",
        )
    )
