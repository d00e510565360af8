import io

import pytest

from backups import archive
from backups.restore import community_import
from bookings.models import Booking, IncidentPhoto
from ledger.models import Expense
from ledger.stored_balances import stored_balance_mismatches
from tests.backups.history import community_with_history, inactive_periods, what_people_see

pytestmark = pytest.mark.django_db


def export(community) -> bytes:
    target = io.BytesIO()
    archive.build(community, None, target)
    return target.getvalue()


def test_an_imported_copy_shows_the_same_balances_statements_and_calendar(tmp_path):
    source = community_with_history()
    path = tmp_path / "backup.zip"
    path.write_bytes(export(source))

    imported = community_import(archive_path=path)

    copy = imported.community
    assert copy.pk != source.pk
    assert what_people_see(copy) == what_people_see(source)
    assert stored_balance_mismatches(copy.pk) == []
    # Everyone matched by e-mail address on the same server, but the erased former member: a pseudonym of its own.
    assert (imported.people_matched, imported.people_created) == (4, 1)
    receipt = Expense.objects.get(community=copy, amount="61.37").receipt
    assert receipt.name != Expense.objects.get(community=source, amount="61.37").receipt.name
    assert receipt.read().startswith(b"%PDF")
    assert IncidentPhoto.objects.filter(incident__trip__booking__community=copy).get().photo.read()
    assert Booking.objects.get(community=copy, trip__isnull=False).created_at == (
        Booking.objects.get(community=source, trip__isnull=False).created_at
    )


def test_an_imported_copy_keeps_the_inactive_periods_and_the_setting(tmp_path):
    source = community_with_history()
    path = tmp_path / "backup.zip"
    path.write_bytes(export(source))

    copy = community_import(archive_path=path).community

    assert copy.inactivity_months == 9
    assert len(inactive_periods(source)) == 2
    assert inactive_periods(copy) == inactive_periods(source)


def test_the_history_compared_is_not_empty():
    seen = what_people_see(community_with_history())
    assert len(seen["calendar"]) >= 3
    assert len(seen["series"]) == 1 and len(seen["series"][0][-1]) == 2
    assert sum(len(lines) for lines in seen["statements"].values()) >= 8
    assert any(amount != "0.00" for _email, amount in seen["balances"])
