"""Importing territories from a CSV file."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from colocauto.core.errors import DomainError
from territories.models import Territory
from territories.services import TerritoryRow, territories_import


def test_the_demo_csv_builds_the_chain_commune_epci_departement(db):
    call_command("import_territories", "territories/data/drome_demo.csv", stdout=None)

    crest = Territory.objects.get(code="26108")
    assert crest.kind == "commune" and crest.latitude is not None
    assert crest.parent.code == "200040509" and crest.parent.kind == "epci"
    assert crest.parent.parent.code == "26" and crest.parent.parent.parent is None


def test_importing_again_updates_the_same_territories(db, tmp_path):
    call_command("import_territories", "territories/data/drome_demo.csv", stdout=None)
    count = Territory.objects.count()
    renamed = tmp_path / "renamed.csv"
    renamed.write_text("name;kind;code;parent_code\nCrest (Drôme);commune;26108;200040509\n", encoding="utf-8")

    call_command("import_territories", str(renamed), stdout=None)

    assert Territory.objects.count() == count
    assert Territory.objects.get(code="26108").name == "Crest (Drôme)"


def test_a_parent_may_come_later_in_the_file(db):
    territories_import(
        rows=[TerritoryRow("Crest", "commune", "26108", "26"), TerritoryRow("Drôme", "departement", "26")]
    )
    assert Territory.objects.get(code="26108").parent.name == "Drôme"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Crest,village,26108,", "unknown kind"),
        (",commune,26108,", "name is missing"),
        ("Crest,commune,26108,99999", "parent code"),
        ("Crest,commune,26108,,north,", "not a coordinate"),
    ],
)
def test_a_wrong_line_is_refused_with_its_number_and_nothing_is_saved(db, tmp_path, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(f"name,kind,code,parent_code,latitude,longitude\nDrôme,departement,26,,,\n{line}\n")

    with translation.override("en"), pytest.raises(CommandError, match=message) as error:
        call_command("import_territories", str(path), stdout=None)

    assert "Line 3" in str(error.value)
    assert not Territory.objects.exists()


def test_a_territory_cannot_end_up_inside_itself(db):
    territories_import(rows=[TerritoryRow("A", "epci", "1", ""), TerritoryRow("B", "commune", "2", "1")])

    with translation.override("en"), pytest.raises(DomainError, match="inside itself"):
        territories_import(rows=[TerritoryRow("A", "epci", "1", "2")])

    assert Territory.objects.get(code="1").parent is None


def test_a_file_without_a_header_is_refused(db, tmp_path):
    path = tmp_path / "no-header.csv"
    path.write_text("Crest,commune,26108,\n")
    with pytest.raises(CommandError, match="first line"):
        call_command("import_territories", str(path), stdout=None)
