"""PostgreSQL refuses overlapping bookings that hold a slot, whatever the application does.

SQLite has no exclusion constraints: there the booking service checks overlaps inside a
write transaction that SQLite serialises (transaction_mode IMMEDIATE).
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "booking_no_overlap"

ADD = f"""
ALTER TABLE bookings_booking ADD CONSTRAINT {CONSTRAINT}
EXCLUDE USING gist (vehicle_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (status IN ('requested', 'confirmed', 'in_progress'))
"""
DROP = f"ALTER TABLE bookings_booking DROP CONSTRAINT {CONSTRAINT}"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint, elidable=False),
    ]
