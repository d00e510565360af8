"""Store why the application cancelled a booking as a code, rendered in the reader's language.

Bookings cancelled because their member left were stored with the sentence already translated into
the language of whoever triggered it ("The member left the community." for a French owner). Those
rows get the code instead; any other message was typed by a person and stays as it is.
"""

from django.db import migrations, models

# The sentence in every language it was ever stored in (the English source and the French catalogue).
LEGACY_MEMBER_LEFT = ("The member left the community.", "Ce membre a quitté la communauté.")
MEMBER_LEFT = "member_left"


def to_codes(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    BookingEvent = apps.get_model("bookings", "BookingEvent")
    Booking.objects.filter(decision_message__in=LEGACY_MEMBER_LEFT).update(
        decision_message="", decision_reason=MEMBER_LEFT
    )
    events = BookingEvent.objects.filter(kind="cancelled", details__message__in=LEGACY_MEMBER_LEFT)
    for event in events.iterator():
        event.details["message"] = ""
        event.details["reason"] = MEMBER_LEFT
        event.save(update_fields=["details"])


def to_text(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    BookingEvent = apps.get_model("bookings", "BookingEvent")
    Booking.objects.filter(decision_reason__in=["member_left", "member_removed"]).update(
        decision_message=LEGACY_MEMBER_LEFT[0]
    )
    for event in BookingEvent.objects.filter(kind="cancelled", details__reason__isnull=False).iterator():
        event.details["message"] = LEGACY_MEMBER_LEFT[0]
        del event.details["reason"]
        event.save(update_fields=["details"])


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0004_calendar_range_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='booking',
            name='decision_reason',
            field=models.CharField(blank=True, choices=[('member_left', 'The member left the community.'), ('member_removed', 'The member was removed from the community.')], max_length=20, verbose_name='reason'),
        ),
        migrations.RunPython(to_codes, to_text),
    ]
