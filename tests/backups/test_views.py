"""The backup page: admins ask for the archive, follow it, get an e-mail and download it once; nobody else can."""

import io
import json
import zipfile

import pytest
from django.core import mail
from django.urls import reverse

from backups.models import CommunityExport
from communities.models import Membership
from tests.backups.history import community_with_history
from tests.factories import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    def post(client, community):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("community_backup", kwargs={"community_id": community.pk}))

    return post


def test_an_admin_gets_the_archive_by_e_mail_and_downloads_it_once(client, community, admin_user, ask):
    client.force_login(admin_user)
    assert ask(client, community).status_code == 302

    export = CommunityExport.objects.get(community=community)
    assert export.status == "ready" and export.progress == 100
    [message] = mail.outbox
    assert message.to == [admin_user.email]
    url = reverse("community_backup_download", kwargs={"community_id": community.pk, "token": export.token})
    assert url in message.body
    page = client.get(reverse("community_backup", kwargs={"community_id": community.pk}))
    assert url in page.content.decode()

    response = client.get(url)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["community"]["id"] == community.pk and manifest["format"] == "colocauto-community"
    assert client.get(url).status_code == 410


def test_the_status_follows_the_preparation(client, community, admin_user):
    client.force_login(admin_user)
    export = CommunityExport.objects.create(community=community, requested_by=admin_user)
    url = reverse("community_backup_status", kwargs={"community_id": community.pk, "pk": export.pk})
    response = client.get(url)
    assert response.json()["status"] == "pending"
    assert response["Cache-Control"] == "private, no-store"  # the page's script always reads the current state


@pytest.mark.parametrize(
    ("person", "expected"), [("member", 403), ("owner", 403), ("outsider", 404), ("other_admin", 404)]
)
def test_only_the_admin_who_asked_can_see_or_download_an_archive(
    client, community, admin_user, people, person, expected, ask
):
    client.force_login(admin_user)
    ask(client, community)
    export = CommunityExport.objects.get(community=community)
    if person == "other_admin":
        user = member_of(community, Membership.Role.ADMIN)
        download_expected, status_expected = 404, 200
    else:
        user = people[person]
        download_expected = status_expected = expected
    client.force_login(user)
    kwargs = {"community_id": community.pk}
    download = reverse("community_backup_download", kwargs={**kwargs, "token": export.token})
    status = reverse("community_backup_status", kwargs={**kwargs, "pk": export.pk})
    assert client.get(download).status_code == download_expected
    assert client.get(status).status_code == status_expected
    assert CommunityExport.objects.get(pk=export.pk).downloaded_at is None


def test_an_archive_holds_nothing_of_another_community():
    ours = community_with_history("Les Tilleuls")
    theirs = community_with_history("Les Chênes")
    from tests.backups.test_round_trip import export

    with zipfile.ZipFile(io.BytesIO(export(ours))) as archive:
        text = b"".join(archive.read(name) for name in archive.namelist())
    strangers = Membership.objects.filter(community=theirs, user__erased_at=None).values_list(
        "user__email", "user__display_name"
    )
    assert strangers
    for email, name in strangers:
        assert f'"{email}"'.encode() not in text
        assert name.encode() not in text
    for plate in theirs.vehicles.values_list("plate", flat=True):
        assert plate.encode() not in text
    assert "Les Chênes".encode() not in text
    assert b"Les Tilleuls" in text
