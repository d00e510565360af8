"""The territories' services refuse with stable codes (docs/error-codes.md), which clients and scripts rely on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from colocauto.core.errors import DomainError
from communities.models import Membership
from territories import services
from territories.models import TerritoryInvitation
from tests.factories import UserFactory
from tests.territories.conftest import make_staff, sharing_community


def _code(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (services.TerritoryRow("", "commune"), "territory_name_missing"),
        (services.TerritoryRow("Crest", "village"), "territory_kind_unknown"),
        (services.TerritoryRow("Crest" * 40, "commune"), "territory_too_long"),
        (services.TerritoryRow("Crest", "commune", "26108", "99"), "territory_parent_unknown"),
        (services.TerritoryRow("Crest", "commune", latitude="north"), "territory_coordinate_invalid"),
        (services.TerritoryRow("Crest", "commune", latitude="91"), "territory_coordinate_invalid"),
    ],
)
def test_an_import_line_is_refused_with_its_code_and_line(db, row, code):
    with pytest.raises(DomainError) as caught:
        services.territories_import(rows=[row])
    assert (caught.value.code, caught.value.params) == (code, {"line": 2})


def test_a_territory_inside_itself_is_refused_with_its_code(drome):
    row = services.TerritoryRow("Drôme", "departement", "26", "26108")
    assert _code(lambda: services.territories_import(rows=[row])) == "territory_loop"


def test_staff_invitations_are_refused_with_their_codes(drome):
    admin = make_staff(drome["crest"], "admin@mairie.example", is_admin=True)
    colleague = make_staff(drome["crest"], "colleague@mairie.example")

    def invite(email, by=admin):
        return services.staff_invite(territory=drome["crest"], email=email, invited_by=by)

    assert _code(lambda: invite("x@example.org", by=colleague)) == "territory_staff_admin_only"
    assert _code(lambda: invite("not an address")) == "invalid_email"
    assert _code(lambda: invite("colleague@mairie.example")) == "already_territory_staff"


def test_unusable_invitations_are_refused_with_their_codes(drome):
    user = UserFactory(email="officer@mairie.example")
    expired = TerritoryInvitation.objects.create(
        territory=drome["crest"], email=user.email, expires_at=timezone.now() - timedelta(days=1)
    )
    other = TerritoryInvitation.objects.create(territory=drome["crest"], email="someone@mairie.example")
    invitation = TerritoryInvitation.objects.create(territory=drome["crest"], email=user.email)
    services.invitation_accept(invitation=invitation, user=user)

    assert _code(lambda: services.invitation_accept(invitation=expired, user=user)) == "territory_invitation_expired"
    assert _code(lambda: services.invitation_accept(invitation=invitation, user=user)) == "territory_invitation_used"
    assert _code(lambda: services.invitation_accept(invitation=other, user=user)) == "invitation_for_another_address"


def test_consents_are_refused_with_their_codes(drome):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    admin = Membership.objects.get(community=community, role=Membership.Role.ADMIN)
    member = Membership.objects.get(community=community, user=people[1])
    consent = community.territory_consents.get()

    assert _code(lambda: services.consent_grant(membership=member, territory=drome["valence"])) == "admin_only"
    assert _code(lambda: services.consent_grant(membership=admin, territory=drome["epci"])) == "consent_in_same_tree"
    services.consent_withdraw(membership=admin, consent=consent)
    assert _code(lambda: services.consent_withdraw(membership=admin, consent=consent)) == "consent_already_withdrawn"
