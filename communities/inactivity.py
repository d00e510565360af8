"""Inactive members: an admin leaves a member who no longer takes part out of the fixed-cost splits, from the
first day of the next month in the community's time zone, and takes them back the same way.

An ``Inactivity`` row per period (``ends_on`` empty while it lasts): a month already closed keeps its split, and
each month's split uses the inactivity in force that month (``ledger.membership_days.membership_spans``).
Trips are charged as always. A member who books again is active again from the next month
(``inactivity_end_by_booking``, called by ``bookings.services.booking_create``): they use the cars again, so
they share their fixed costs again. The member is told of each change once, in their language
(``communities.emails``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.clock import next_month, today_in, zone
from colocauto.core.errors import Conflict
from colocauto.core.queue import wake
from communities import tasks
from communities.models import Community, Inactivity, Membership
from communities.rules import require_not_last_admin
from communities.services import _locked_for_admin, _require_active_member


class AlreadyInactive(Conflict):
    default_code = "already_inactive"


class NotInactive(Conflict):
    default_code = "not_inactive"


def next_month_in(community: Community) -> date:
    """The first day of the next month in the community's time zone: when a change of inactivity takes effect."""
    return next_month(today_in(zone(community.time_zone)))


def open_inactivity(membership: Membership) -> Inactivity | None:
    """The member's inactivity that has not ended (it may start next month), if any."""
    return Inactivity.objects.filter(membership_id=membership.pk, ends_on__isnull=True).first()


@transaction.atomic
def membership_mark_inactive(*, actor: Membership, membership: Membership) -> Inactivity:
    """An admin leaves an active member out of the fixed-cost splits from the next month; the member is told.

    The only admin may not mark themselves (``last_admin``): someone must stay to answer for the community.
    """
    membership = _locked_for_admin(actor, membership)
    _require_active_member(membership, _("Only an active member can be marked inactive."))
    if membership.pk == actor.pk:
        require_not_last_admin(membership, _("You are the only admin: make another member an admin first."))
    if open_inactivity(membership) is not None:
        raise AlreadyInactive(_("%(name)s is already inactive.") % {"name": membership.user.name})
    inactivity = Inactivity.objects.create(
        membership=membership, starts_on=next_month_in(membership.community), marked_by=actor.user
    )
    wake(tasks.notify_member_inactive, inactivity.pk)
    return inactivity


@transaction.atomic
def membership_reactivate(*, actor: Membership, membership: Membership) -> Membership:
    """An admin takes an inactive member back into the fixed-cost splits from the next month (a period that has
    not started yet then counts no day); the member is told."""
    membership = _locked_for_admin(actor, membership)
    inactivity = open_inactivity(membership)
    if inactivity is None:
        raise NotInactive(_("%(name)s is not inactive.") % {"name": membership.user.name})
    _end(inactivity, membership=membership, by=actor)
    return membership


def inactivity_end_by_booking(*, membership: Membership) -> None:
    """The member booked: they are active again from the next month (in the booking's transaction)."""
    inactivity = Inactivity.objects.select_for_update().filter(membership_id=membership.pk, ends_on=None).first()
    if inactivity is not None:
        _end(inactivity, membership=membership, by=membership)


def _end(inactivity: Inactivity, *, membership: Membership, by: Membership) -> None:
    """End the period on the first day of next month, or on its first day if it has not started yet."""
    inactivity.ends_on = max(next_month_in(membership.community), inactivity.starts_on)
    inactivity.ended_at, inactivity.ended_by = timezone.now(), by.user
    inactivity.save(update_fields=["ends_on", "ended_at", "ended_by"])
    wake(tasks.notify_member_active_again, inactivity.pk)
