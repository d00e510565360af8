"""The setup checklist on a community's overview: what is left to make the community work, read in one query.

An admin's list: a vehicle, the rules, a neighbour, their IBAN. A member's: their IBAN, which members who owe
them money are shown to pay them. The list goes away once every step is done, or when the person hides it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from communities.models import Community, Invitation, Membership

# The steps, in the order they are shown; the template names and links each one.
VEHICLE, RULES, NEIGHBOURS, IBAN = "vehicle", "rules", "neighbours", "iban"


@dataclass(frozen=True)
class Step:
    key: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    steps: tuple[Step, ...]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def complete(self) -> bool:
        return self.done_count == self.total


def checklist_of(membership: Membership) -> Checklist:
    """The viewer's steps and whether each is done: one query for an admin, none for a member.

    ``membership.user`` and ``membership.community`` are the rows the request already holds."""
    iban = Step(IBAN, bool(membership.user.iban))
    if not membership.is_admin:
        return Checklist((iban,))
    # Through the reverse relation: communities sits below vehicles and never imports it.
    vehicle = Community.objects.filter(pk=OuterRef("pk"), vehicles__is_active=True)
    others = Membership.objects.filter(
        community_id=OuterRef("pk"), status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING]
    ).exclude(pk=membership.pk)
    links = Invitation.objects.filter(
        Q(max_uses=None) | Q(use_count__lt=F("max_uses")),
        community_id=OuterRef("pk"),
        revoked_at=None,
        expires_at__gt=timezone.now(),
    )
    found = (
        Community.objects.filter(pk=membership.community_id)
        .annotate(has_vehicle=Exists(vehicle), has_member=Exists(others), has_link=Exists(links))
        .values("has_vehicle", "has_member", "has_link")
        .get()
    )
    return Checklist(
        (
            Step(VEHICLE, found["has_vehicle"]),
            Step(RULES, membership.community.rules_reviewed_at is not None),
            Step(NEIGHBOURS, found["has_member"] or found["has_link"]),
            iban,
        )
    )


def checklist_shown(membership: Membership) -> Checklist | None:
    """The checklist the overview shows: none once hidden (no query) or once every step is done."""
    if membership.checklist_hidden_at is not None:
        return None
    checklist = checklist_of(membership)
    return None if checklist.complete else checklist
