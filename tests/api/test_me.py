"""/api/v1/me/: my profile, language and communities; changes go through the profile page's form."""

from tests.factories import MembershipFactory

ME = "/api/v1/me/"


def test_me_lists_my_communities_with_my_role(as_user, admin_user, community, other_community):
    MembershipFactory(community=other_community, user=admin_user)

    body = as_user(admin_user).get(ME).json()

    assert body["email"] == admin_user.email
    roles = {item["name"]: item["role"] for item in body["communities"]}
    assert roles == {community.name: "admin", other_community.name: "member"}
    assert body["communities"][0]["time_zone"] == "Europe/Paris"


def test_me_does_not_list_pending_or_former_memberships(as_user, member, other_community):
    MembershipFactory(community=other_community, user=member, pending=True)

    body = as_user(member).get(ME).json()

    assert [item["name"] for item in body["communities"]] == ["Les Tilleuls"]


def test_changing_my_language_answers_in_the_new_language(as_user, member):
    client = as_user(member)

    changed = client.patch(ME, {"language": "en"}, format="json")
    refused = client.patch(ME, {"iban": "FR76 not an iban"}, format="json")

    assert changed.status_code == 200
    assert changed.json()["language"] == "en"
    assert changed["Content-Language"] == "en"
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert "iban" in refused.json()["fields"]
    assert refused["Content-Language"] == "en"


def test_errors_are_in_the_persons_language(as_user, member):
    member.language = "fr"
    member.save()

    refused = as_user(member).patch(ME, {"language": "klingon"}, format="json")

    assert refused.status_code == 400
    assert refused["Content-Language"] == "fr"
    assert "language" in refused.json()["fields"]
    assert "valide" in refused.json()["fields"]["language"][0]


def test_a_patch_changes_only_the_fields_sent(as_user, member):
    member.phone = "06 12 34 56 78"
    member.notify_bookings = False
    member.save()

    as_user(member).patch(ME, {"display_name": "Maya"}, format="json")

    member.refresh_from_db()
    assert (member.display_name, member.phone, member.notify_bookings) == ("Maya", "06 12 34 56 78", False)


def test_wrongly_typed_values_get_400_not_500(as_user, member):
    client = as_user(member)

    for body in (
        {"display_name": {"a": 1}},
        {"notify_bookings": "perhaps"},
        {"language": ["en"]},
        ["not", "an", "object"],
    ):
        response = client.patch(ME, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid"


def test_malformed_json_gets_400_with_a_code(as_user, member):
    response = as_user(member).generic("PATCH", ME, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed"


def test_an_unsupported_method_gets_405_with_the_allowed_ones(as_user, member):
    response = as_user(member).delete(ME)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
