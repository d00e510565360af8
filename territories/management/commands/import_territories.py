"""Create or update territories from a CSV file: name, kind, code, parent code, latitude, longitude.

    python manage.py import_territories territories/data/drome_demo.csv

The header names the columns (``name,kind,code,parent_code,latitude,longitude``; the last three
are optional); ``,`` or ``;`` separate them. Running it again updates the same territories.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from colocauto.core.errors import DomainError
from territories.services import TerritoryRow, territories_import

COLUMNS = ("name", "kind", "code", "parent_code", "latitude", "longitude")


def read_rows(path: Path) -> list[TerritoryRow]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "name" not in header or "kind" not in header:
        raise CommandError("The first line must name the columns, at least: name,kind (then code,parent_code,…).")
    rows = []
    for record in reader:
        values = {key.strip().lower(): (value or "").strip() for key, value in record.items() if key}
        rows.append(TerritoryRow(**{column: values.get(column, "") for column in COLUMNS}))
    return rows


class Command(BaseCommand):
    help = "Create or update territories (communes, EPCI, départements…) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)

    def handle(self, *args, csv_file: Path, **options):
        try:
            created, updated = territories_import(rows=read_rows(csv_file))
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(f"{created} territories created, {updated} updated.")
