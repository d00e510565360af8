"""What erasing a person's account does to territories (registered in ``territories/privacy.py``): their
staff roles end and the invitations addressed to them go. Consents they recorded for a community stay,
pointing at the pseudonym: they are the community's decision, not the person's data."""

from __future__ import annotations

from django.db.models import Q

from colocauto.core.privacy import Eraser, erase_with, keep
from communities.models import User
from territories.models import TerritoryInvitation, TerritoryStaff

ERASES = (
    "territories.TerritoryStaff.user",
    "territories.TerritoryInvitation.accepted_by",
    "territories.TerritoryInvitation.email",
    "territories.TerritoryInvitation.token",
)


def erase_territories(user: User) -> None:
    TerritoryStaff.objects.filter(user=user).delete()
    TerritoryInvitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email)).delete()


erase_with(Eraser(name="territories", erase=erase_territories, covers=ERASES))
keep(
    "A community's consent to share figures is the community's decision; who recorded it points at the pseudonym.",
    "territories.TerritoryConsent.granted_by",
    "territories.TerritoryConsent.withdrawn_by",
    "territories.TerritoryStaff.invited_by",
    "territories.TerritoryInvitation.invited_by",
)
keep(
    "Territories and their aggregated figures are public reference data about places, never about a person.",
    "territories.Territory",
    "territories.TerritoryUsage",
    "territories.TerritoryUsageState",
)
