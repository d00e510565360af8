import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import ExifTags, Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from colocauto.core.clock import midnight, month_last_day, next_month
from colocauto.core.errors import Conflict, DomainError, NotAllowed
from ledger import closing, services, transfers
from ledger.explain import explain
from ledger.models import Entry, Expense, Transaction
from ledger.posting import account_balances, community_tz, local_today
from ledger.selectors import balances_for
from ledger.settlement import settlement_plan
from tests.factories import CommunityFactory, VehicleFactory
from tests.files import one_colour_png, pdf_bytes
from tests.ledger.conftest import add_member, make_trip, shared_car
from vehicles.models import Vehicle


def _balances(community):
    return {balance.user.name if balance.user else "pool": balance.amount for balance in balances_for_admin(community)}


def balances_for_admin(community):
    from communities.models import Membership

    return balances_for(Membership.objects.filter(community=community, status="active").first())


def _png(name="receipt.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _pdf(name="receipt.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


# --- The worked example --------------------------------------------------------------------


def test_worked_example_balances_and_plan(community, trio):
    a, b, c, car = trio["a"], trio["b"], trio["c"], trio["car"]
    services.trip_charge(trip=make_trip(car, b, 100))
    services.trip_charge(trip=make_trip(car, c, 50))
    services.expense_record(
        membership=trio["b_membership"],
        vehicle=car,
        category=Expense.Category.FUEL,
        amount=Decimal("40.00"),
        spent_on=local_today(community),
        litres=Decimal("22.5"),
    )

    assert _balances(community) == {"Anne": Decimal("5.00"), "Bruno": Decimal("10.00"), "Chloe": Decimal("-15.00")}
    by_user = {balance.user: balance.amount for balance in balances_for_admin(community)}
    assert settlement_plan(by_user) == [(c, b, Decimal("10.00")), (c, a, Decimal("5.00"))]


def test_worked_example_month_close_stores_the_plan(community, trio, mid_last_month, last_month):
    car = trio["car"]
    services.trip_charge(trip=make_trip(car, trio["b"], 100, ended_at=mid_last_month))
    services.trip_charge(trip=make_trip(car, trio["c"], 50, ended_at=mid_last_month + timedelta(hours=4)))
    services.expense_record(
        membership=trio["b_membership"], vehicle=car, category="fuel", amount=Decimal("40"), spent_on=last_month
    )

    period = closing.month_close(community=community, month=last_month)

    plan = [(t.payer.user.name, t.payee.user.name, t.amount) for t in period.transfers.all()]
    assert plan == [("Chloe", "Bruno", Decimal("10.00")), ("Chloe", "Anne", Decimal("5.00"))]


# --- Trips ---------------------------------------------------------------------------------


def test_a_trip_is_charged_once_however_often_it_is_called(community, trio):
    trip = make_trip(trio["car"], trio["b"], 100)

    first = services.trip_charge(trip=trip)
    second = services.trip_charge(trip=trip)

    assert first == second
    assert Transaction.objects.filter(trip=trip).count() == 1
    assert _balances(community)["Bruno"] == Decimal("-30.00")


def test_the_owner_driving_their_own_car_is_not_charged(community, trio):
    assert services.trip_charge(trip=make_trip(trio["car"], trio["a"], 100)) is None
    assert not Transaction.objects.exists()


def test_a_shared_costs_vehicle_posts_nothing_at_trip_time(community, trio):
    car = trio["car"]
    car.cost_model = Vehicle.CostModel.SHARED_COSTS
    car.save()

    assert services.trip_charge(trip=make_trip(car, trio["b"], 100)) is None
    assert not Transaction.objects.exists()


def test_an_unfinished_trip_cannot_be_charged(community, trio):
    trip = make_trip(trio["car"], trio["b"], 10)
    trip.ended_at = None
    trip.distance_km = None
    trip.save()

    with pytest.raises(DomainError):
        services.trip_charge(trip=trip)


def test_hours_are_charged_per_calendar_day_and_capped_per_day(community, trio):
    car = trio["car"]
    car.rate_per_km = Decimal("0.200")
    car.rate_per_hour = Decimal("2.000")
    car.daily_cap = Decimal("20.00")
    car.save()
    tz = community_tz(community)
    # From 20:00 to 16:00 two days later: 4 h, then 24 h (capped at 20.00), then 16 h (capped).
    start = midnight(local_today(community) - timedelta(days=5), tz) + timedelta(hours=20)
    trip = make_trip(car, trio["b"], 150, ended_at=start + timedelta(hours=44), hours=44)

    record = services.trip_charge(trip=trip)

    # 150 km × 0.20 = 30.00; hours: 8.00 + 20.00 + 20.00 = 48.00
    assert record.entries.get(account__user=trio["b"]).amount == Decimal("-78.00")
    assert record.entries.get(account__user=trio["a"]).amount == Decimal("78.00")


@pytest.mark.parametrize(
    ("first_day", "last_day", "real_hours"),
    [
        (date(2025, 3, 29), date(2025, 3, 31), 47),  # clocks go forward on the 30th: a 23-hour day
        (date(2025, 10, 25), date(2025, 10, 27), 49),  # clocks go back on the 26th: a 25-hour day
    ],
)
def test_hours_across_a_daylight_saving_change_are_the_real_elapsed_hours(
    community, trio, first_day, last_day, real_hours
):
    car = trio["car"]
    car.rate_per_km = Decimal("0")
    car.rate_per_hour = Decimal("1.000")
    tz = community_tz(community)  # Europe/Paris

    price = services.trip_price(vehicle=car, km=0, starts_at=midnight(first_day, tz), ends_at=midnight(last_day, tz))

    assert price == Decimal(real_hours)


def test_the_daily_cap_applies_to_each_local_day_whatever_its_length(community, trio):
    car = trio["car"]
    car.rate_per_km = Decimal("0")
    car.rate_per_hour = Decimal("1.000")
    car.daily_cap = Decimal("23.50")
    tz = community_tz(community)
    # 29 March: 24 h, capped at 23.50; 30 March: 23 real hours, under the cap.
    price = services.trip_price(
        vehicle=car, km=0, starts_at=midnight(date(2025, 3, 29), tz), ends_at=midnight(date(2025, 3, 31), tz)
    )

    assert price == Decimal("46.50")


def test_trips_before_and_after_a_mid_month_switch_are_charged_once_under_the_old_model(community, trio):
    from vehicles.services import vehicle_update

    car, today = trio["car"], local_today(community)
    services.trip_charge(trip=make_trip(car, trio["b"], 100, ended_at=timezone.now() - timedelta(hours=1)))

    vehicle_update(membership=trio["a_membership"], vehicle=car, data={"cost_model": Vehicle.CostModel.SHARED_COSTS})
    car.refresh_from_db()
    services.trip_charge(trip=make_trip(car, trio["b"], 100, ended_at=timezone.now()))
    services.expense_record(
        membership=trio["c_membership"], vehicle=car, category="fuel", amount=Decimal("50.00"), spent_on=today
    )
    closing.shared_costs_allocate(vehicle=car, month=today)

    # Rates all month: 2 × 100 km × 0.30, and the fuel Chloe paid is owed by the owner, not shared by km.
    assert _balances(community) == {"Anne": Decimal("10.00"), "Bruno": Decimal("-60.00"), "Chloe": Decimal("50.00")}
    next_month_trip = make_trip(car, trio["b"], 100, ended_at=midnight(next_month(today), community_tz(community)))
    assert services.trip_charge(trip=next_month_trip) is None  # shared costs from the 1st


def test_a_community_owned_vehicle_credits_the_pool(community, trio):
    pool_car = VehicleFactory(community=community, owner=None, rate_per_km=Decimal("0.250"))

    services.trip_charge(trip=make_trip(pool_car, trio["a"], 10))

    assert _balances(community) == {
        "Anne": Decimal("-2.50"),
        "Bruno": Decimal("0.00"),
        "Chloe": Decimal("0.00"),
        "pool": Decimal("2.50"),
    }


# --- Expenses ------------------------------------------------------------------------------


def _record(trio, who: str = "b", **fields):
    """``expense_record`` as Anne, Bruno or Chloe (``who``: "a", "b", "c"): fuel for the Clio, €40.00, today,
    unless ``fields`` say otherwise."""
    car = trio["car"]
    arguments = {"vehicle": car, "category": "fuel", "amount": Decimal("40.00"), "spent_on": local_today(car.community)}
    return services.expense_record(membership=trio[f"{who}_membership"], **{**arguments, **fields})


def test_an_expense_paid_by_the_owner_is_recorded_without_posting(community, trio):
    expense = _record(trio, "a", category="maintenance", amount=Decimal("120.00"), receipt=_pdf())

    assert Expense.objects.get() == expense
    assert expense.receipt.name.endswith(".pdf")
    assert not Transaction.objects.exists()


def test_an_admin_records_an_expense_paid_by_another_member(community, trio):
    expense = _record(
        trio, "a", category="parking_toll", amount=Decimal("8.40"), paid_by=trio["c"], receipt=_png("receipt.pdf")
    )

    assert expense.paid_by == trio["c"]
    assert expense.created_by == trio["a"]
    assert expense.receipt.name.endswith(".png")  # named after its content, not "receipt.pdf"
    assert _balances(community)["Chloe"] == Decimal("8.40")
    assert _balances(community)["Anne"] == Decimal("-8.40")


def test_a_member_cannot_record_an_expense_paid_by_someone_else(community, trio):
    with pytest.raises(NotAllowed):
        _record(trio, amount=Decimal("10"), paid_by=trio["c"])
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": Decimal("-10.00")}, "more than zero"),
        ({"amount": Decimal("0")}, "more than zero"),
        ({"amount": Decimal("999999.00")}, "too large"),
        ({"amount": Decimal("10.005")}, "two decimals"),
        ({"amount": "ten"}, "Enter an amount"),
        ({"amount": 42.5}, "never a floating-point number"),
        ({"amount": Decimal("NaN")}, "Enter an amount"),
        ({"amount": Decimal("Infinity")}, "Enter an amount"),
        ({"litres": 40.0}, "never a floating-point number"),
        ({"spent_on": "tomorrow"}, "future"),
        ({"category": "champagne"}, "category"),
        ({"litres": Decimal("40"), "category": "repair"}, "only for fuel"),
        ({"litres": Decimal("9000")}, "quantity"),
        ({"receipt": "text"}, "photo"),
        ({"receipt": "fake-pdf"}, "photo"),
    ],
)
def test_bad_expense_input_is_refused_and_nothing_is_recorded(community, trio, settings, changes, message):
    settings.LANGUAGE_CODE = "en"
    arguments = dict(changes)
    if arguments.get("spent_on") == "tomorrow":
        arguments["spent_on"] = local_today(community) + timedelta(days=1)
    if arguments.get("receipt") == "text":
        arguments["receipt"] = SimpleUploadedFile("receipt.jpg", b"just some text", content_type="image/jpeg")
    if arguments.get("receipt") == "fake-pdf":
        arguments["receipt"] = SimpleUploadedFile(
            "receipt.pdf", b"%PDF-1.4 but cut short", content_type="application/pdf"
        )

    with pytest.raises(DomainError, match=message):
        _record(trio, **arguments)

    assert not Expense.objects.exists()
    assert not Transaction.objects.exists()


def test_a_receipt_over_the_size_limit_is_refused(community, trio, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(DomainError, match="too large|trop"):
        _record(trio, receipt=SimpleUploadedFile("r.pdf", b"%PDF-" + b"x" * 200 + b"%%EOF"))
    assert not Expense.objects.exists()


def _photo_taken_at_home() -> bytes:
    """A phone photo whose EXIF and comment say where it was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 3200), "white").save(buffer, "JPEG", exif=exif, comment="12 rue des Lilas")
    with Image.open(io.BytesIO(buffer.getvalue())) as sent:
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the photo as sent does say where
        assert sent.info["comment"] == b"12 rue des Lilas"
    return buffer.getvalue()


def test_a_receipt_photo_is_stored_without_its_gps_position_or_comment_and_shrunk(community, trio):
    expense = _record(trio, receipt=SimpleUploadedFile("IMG_0042.JPG", _photo_taken_at_home()))

    with expense.receipt.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        assert "comment" not in image.info
        assert image.size == (1500, 2000)
    assert expense.receipt.name.endswith(".jpg")


def test_a_144_megapixel_png_receipt_is_refused(community, trio, settings):
    settings.LANGUAGE_CODE = "en"
    flat = SimpleUploadedFile("scan.png", one_colour_png(12000, 12000), content_type="image/png")

    with pytest.raises(DomainError, match="too big .144 megapixels"):
        _record(trio, receipt=flat)
    assert not Expense.objects.exists()


def test_a_file_that_only_looks_like_a_pdf_is_refused(community, trio, settings):
    settings.LANGUAGE_CODE = "en"
    fake = SimpleUploadedFile("bill.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    with pytest.raises(DomainError, match="This PDF cannot be read"):
        _record(trio, receipt=fake)
    assert not Expense.objects.exists()


def test_a_real_pdf_receipt_is_stored_as_sent(community, trio):
    content = pdf_bytes(pages=2)

    expense = _record(trio, receipt=SimpleUploadedFile("bill.pdf", content))

    assert expense.receipt.name.endswith(".pdf")
    with expense.receipt.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (pdf_bytes(pages=21), "at most 20 pages"),
        (pdf_bytes(password="secret"), "This PDF is encrypted"),
    ],
    ids=["21-pages", "encrypted"],
)
def test_a_pdf_receipt_with_too_many_pages_or_encrypted_is_refused(community, trio, settings, content, message):
    settings.LANGUAGE_CODE = "en"
    settings.RECEIPT_PDF_MAX_PAGES = 20

    with pytest.raises(DomainError, match=message):
        _record(trio, receipt=SimpleUploadedFile("bill.pdf", content))
    assert not Expense.objects.exists()


def test_a_pdf_receipt_that_hides_pages_behind_a_small_count_is_refused(community, trio, settings):
    settings.LANGUAGE_CODE = "en"
    settings.RECEIPT_PDF_MAX_PAGES = 20
    reader = PdfReader(io.BytesIO(pdf_bytes(pages=25)))
    reader.trailer["/Root"]["/Pages"][NameObject("/Count")] = NumberObject(1)
    writer = PdfWriter(clone_from=reader)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert PdfReader(io.BytesIO(buffer.getvalue())).trailer["/Root"]["/Pages"]["/Count"] == 1

    with pytest.raises(DomainError, match="at most 20 pages"):
        _record(trio, receipt=SimpleUploadedFile("bill.pdf", buffer.getvalue()))


def test_a_pdf_receipt_over_its_own_size_limit_is_refused(community, trio, settings):
    settings.LANGUAGE_CODE = "en"
    content = pdf_bytes()
    settings.RECEIPT_PDF_MAX_BYTES = len(content) - 1

    with pytest.raises(DomainError, match="This PDF is too large"):
        _record(trio, receipt=SimpleUploadedFile("bill.pdf", content))
    assert not Expense.objects.exists()


def test_an_expense_on_another_communitys_vehicle_is_refused(community, trio):
    elsewhere = VehicleFactory(community=CommunityFactory())

    with pytest.raises(DomainError):
        _record(trio, vehicle=elsewhere)
    assert not Expense.objects.exists()
    assert not Transaction.objects.exists()


# --- Reversals -----------------------------------------------------------------------------


def test_undoing_an_expense_keeps_both_postings_in_the_history(community, trio):
    expense = _record(trio)
    posting = expense.transactions.get()

    reversal = services.transaction_reverse(membership=trio["b_membership"], transaction=posting, reason="Typo")

    assert reversal.reverses == posting
    assert Transaction.objects.count() == 2
    assert [entry.amount for entry in Entry.objects.filter(account__user=trio["b"])] == [
        Decimal("40.00"),
        Decimal("-40.00"),
    ]
    assert set(_balances(community).values()) == {Decimal("0.00")}
    expense.refresh_from_db()
    assert expense.is_cancelled


def test_a_transaction_is_reversed_at_most_once_and_a_reversal_never(community, trio):
    posting = _record(trio).transactions.get()
    reversal = services.transaction_reverse(membership=trio["a_membership"], transaction=posting, reason="Wrong car")

    with pytest.raises(Conflict):
        services.transaction_reverse(membership=trio["a_membership"], transaction=posting, reason="Again")
    with pytest.raises(DomainError):
        services.transaction_reverse(membership=trio["a_membership"], transaction=reversal, reason="Undo the undo")
    assert Transaction.objects.count() == 2


def test_only_the_author_or_an_admin_may_undo(community, trio, outsider):
    posting = _record(trio).transactions.get()
    trip_charge = services.trip_charge(trip=make_trip(trio["car"], trio["c"], 10))

    with pytest.raises(NotAllowed):
        services.transaction_reverse(membership=trio["c_membership"], transaction=posting, reason="Not mine")
    with pytest.raises(NotAllowed):  # automatic postings have no author: only an admin undoes them
        services.transaction_reverse(membership=trio["c_membership"], transaction=trip_charge, reason="Free ride")
    with pytest.raises(NotAllowed):
        services.transaction_reverse(membership=outsider.memberships.get(), transaction=posting, reason="Hack")
    with pytest.raises(DomainError):
        services.transaction_reverse(membership=trio["a_membership"], transaction=posting, reason="  ")
    assert Transaction.objects.count() == 2


def test_expense_cancel_undoes_an_unposted_expense_or_reverses_a_posted_one(community, trio):
    unposted = _record(trio, "a", category="tax", amount=Decimal("50"))
    posted = _record(trio)

    services.expense_cancel(membership=trio["a_membership"], expense=unposted, reason="Duplicate")
    services.expense_cancel(membership=trio["b_membership"], expense=posted, reason="Wrong amount")

    assert Expense.objects.filter(cancelled_at__isnull=False).count() == 2
    assert posted.transactions.filter(kind=Transaction.Kind.REVERSAL).count() == 1
    with pytest.raises(Conflict):
        services.expense_cancel(membership=trio["a_membership"], expense=posted, reason="Again")


# --- Month-end allocations -----------------------------------------------------------------


def test_shared_costs_are_split_by_km_and_posted_once(community, trio, last_month, mid_last_month):
    car = shared_car(community, trio["a"])
    make_trip(car, trio["b"], 200, ended_at=mid_last_month)
    make_trip(car, trio["c"], 100, ended_at=mid_last_month + timedelta(hours=3))
    services.expense_record(
        membership=trio["a_membership"], vehicle=car, category="fuel", amount=Decimal("100.00"), spent_on=last_month
    )
    assert not Transaction.objects.exists()

    first = closing.shared_costs_allocate(vehicle=car, month=last_month)
    second = closing.shared_costs_allocate(vehicle=car, month=last_month)

    assert len(first) == 1 and second == []
    assert _balances(community) == {"Anne": Decimal("100.00"), "Bruno": Decimal("-66.67"), "Chloe": Decimal("-33.33")}


@pytest.mark.parametrize(
    ("idle_shared_costs", "balances"),
    [
        (None, {"Anne": Decimal("-30.00"), "Bruno": Decimal("30.00"), "Chloe": Decimal("0.00")}),
        ("members", {"Anne": Decimal("-10.00"), "Bruno": Decimal("20.00"), "Chloe": Decimal("-10.00")}),
    ],
    ids=["fall_on_the_owner_by_default", "are_shared_by_members_when_the_community_chose_so"],
)
def test_shared_costs_of_a_month_nobody_drove(community, trio, last_month, idle_shared_costs, balances):
    if idle_shared_costs:  # else the community's default
        community.idle_shared_costs = idle_shared_costs
        community.save(update_fields=["idle_shared_costs"])
    car = shared_car(community, trio["a"])
    services.expense_record(
        membership=trio["b_membership"], vehicle=car, category="insurance", amount=Decimal("30"), spent_on=last_month
    )

    closing.shared_costs_allocate(vehicle=car, month=last_month)

    assert _balances(community) == balances


def test_shared_costs_of_an_undriven_community_car_are_split_by_membership_days(community, trio, last_month):
    car = shared_car(community, None)
    services.expense_record(
        membership=trio["b_membership"], vehicle=car, category="tax", amount=Decimal("10.00"), spent_on=last_month
    )

    closing.shared_costs_allocate(vehicle=car, month=last_month)

    # Equal days, equal remainders: the left-over cent goes to the first member by key order.
    assert _balances(community) == {"Anne": Decimal("-3.34"), "Bruno": Decimal("6.67"), "Chloe": Decimal("-3.33")}


def test_fixed_costs_follow_days_of_membership(community, trio, last_month):
    from communities.models import Membership

    car = shared_car(community, trio["a"], fixed="90.00")
    car.cost_model = Vehicle.CostModel.RATES
    car.save()
    tz = community_tz(community)
    # Chloe joined on the 11th of last month (the day counts): 30- or 31-day month, fewer days than the others.
    Membership.objects.filter(pk=trio["c_membership"].pk).update(
        joined_at=midnight(last_month + timedelta(days=10), tz)
    )
    days_in_month = ((last_month + timedelta(days=32)).replace(day=1) - last_month).days

    record = closing.fixed_costs_allocate(vehicle=car, month=last_month)
    again = closing.fixed_costs_allocate(vehicle=car, month=last_month)

    assert again == record
    entries = {entry.account.user: entry.amount for entry in record.entries.select_related("account__user")}
    chloe_days = days_in_month - 10
    expected_chloe = Decimal(90) * chloe_days / (2 * days_in_month + chloe_days)
    assert abs(-entries[trio["c"]] - expected_chloe) < Decimal("0.01")
    assert sum(entries.values()) == 0
    assert entries[trio["a"]] > 0  # the owner is credited the total minus their own part


def _days_in(month):
    return (next_month(month) - month).days


def _pool_car_registered(community, at, fixed="93.00"):
    car = VehicleFactory(community=community, owner=None, fixed_monthly_cost=Decimal(fixed))
    Vehicle.objects.filter(pk=car.pk).update(created_at=at)
    car.refresh_from_db()
    return car


def _fixed_lines(record):
    return {entry.account.user: entry.amount for entry in record.entries.select_related("account__user")}


def test_fixed_costs_of_a_vehicle_registered_mid_month_are_prorated_by_its_days(community, trio, last_month):
    # Registered at 09:00 on the 21st of last month, community time: that day counts.
    car = _pool_car_registered(
        community, midnight(last_month + timedelta(days=20), community_tz(community)) + timedelta(hours=9)
    )
    days = _days_in(last_month) - 20

    record = closing.fixed_costs_allocate(vehicle=car, month=last_month)

    lines = _fixed_lines(record)
    expected = (Decimal("93.00") * days / _days_in(last_month)).quantize(Decimal("0.01"))
    assert lines[None] == expected  # the pool is credited the prorated amount, not 93.00
    assert -sum(amount for user, amount in lines.items() if user) == expected
    parts = sorted(-amount for user, amount in lines.items() if user)
    assert len(parts) == 3 and parts[-1] - parts[0] <= Decimal("0.01")  # members for the whole month: a third each
    with translation.override("en"):
        assert f"prorated to {days} of {_days_in(last_month)} days" in explain(record)


def test_fixed_costs_of_a_month_the_community_had_members_for_one_day_are_prorated(last_month):
    community = CommunityFactory()
    tz = community_tz(community)
    car = _pool_car_registered(community, timezone.now() - timedelta(days=400))
    newcomer, _membership = add_member(
        community, "Nora", joined_at=midnight(month_last_day(last_month), tz) + timedelta(hours=18)
    )

    record = closing.fixed_costs_allocate(vehicle=car, month=last_month)

    one_day = (Decimal("93.00") / _days_in(last_month)).quantize(Decimal("0.01"))
    assert _fixed_lines(record) == {None: one_day, newcomer: -one_day}


def test_a_member_who_left_before_the_vehicle_was_registered_bears_none_of_its_fixed_costs(community, trio, last_month):
    from communities.models import Membership

    tz = community_tz(community)
    Membership.objects.filter(pk=trio["c_membership"].pk).update(
        status=Membership.Status.LEFT, ended_at=midnight(last_month + timedelta(days=10), tz)
    )
    car = _pool_car_registered(community, midnight(last_month + timedelta(days=20), tz))

    record = closing.fixed_costs_allocate(vehicle=car, month=last_month)

    lines = _fixed_lines(record)
    assert trio["c"] not in lines
    assert lines[trio["a"]] + lines[trio["b"]] == -lines[None]


# --- Transfers -----------------------------------------------------------------------------


def test_confirming_a_transfer_posts_a_settlement_once_and_settles_the_balances(
    community, trio, last_month, mid_last_month
):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid_last_month))
    period = closing.month_close(community=community, month=last_month)
    transfer = period.transfers.get()

    with pytest.raises(NotAllowed):
        transfers.transfer_declare_paid(membership=trio["c_membership"], transfer=transfer)
    transfers.transfer_declare_paid(membership=trio["b_membership"], transfer=transfer)
    with pytest.raises(NotAllowed):
        transfers.transfer_confirm(membership=trio["b_membership"], transfer=transfer)
    transfers.transfer_confirm(membership=trio["a_membership"], transfer=transfer)
    transfers.transfer_confirm(membership=trio["a_membership"], transfer=transfer)

    transfer.refresh_from_db()
    assert transfer.is_confirmed and transfer.transaction.kind == Transaction.Kind.SETTLEMENT
    assert Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT).count() == 1
    assert set(_balances(community).values()) == {Decimal("0.00")}


def test_a_newer_plan_supersedes_unconfirmed_transfers(community, trio, last_month, mid_last_month):
    from colocauto.core.clock import previous_month
    from ledger.models import SettlementPeriod

    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid_last_month - timedelta(days=31)))
    older = closing.month_close(community=community, month=previous_month(last_month))
    closing.month_close(community=community, month=last_month)

    old_transfer = older.transfers.get()
    old_transfer.refresh_from_db()
    assert old_transfer.superseded_at is not None
    with pytest.raises(Conflict) as superseded:
        transfers.transfer_confirm(membership=trio["a_membership"], transfer=old_transfer)
    assert superseded.value.code == "transfer_superseded"
    assert SettlementPeriod.objects.get(month=last_month).transfers.get().amount == Decimal("30.00")
    with pytest.raises(Conflict) as later_closed:
        closing.settlement_period_open(community=community, month=previous_month(previous_month(last_month)))
    assert later_closed.value.code == "later_month_closed"


def test_month_close_twice_posts_nothing_twice(community, trio, last_month, mid_last_month):
    car = shared_car(community, trio["a"], fixed="30.00")
    make_trip(car, trio["b"], 50, ended_at=mid_last_month)
    services.expense_record(
        membership=trio["c_membership"], vehicle=car, category="fuel", amount=Decimal("60"), spent_on=last_month
    )

    first = closing.month_close(community=community, month=last_month)
    counts = (Transaction.objects.count(), Entry.objects.count(), first.transfers.count())
    second = closing.month_close(community=community, month=last_month)

    assert second == first
    assert (Transaction.objects.count(), Entry.objects.count(), second.transfers.count()) == counts
    assert Transaction.objects.filter(kind=Transaction.Kind.SHARED_COSTS).count() == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.FIXED_COSTS).count() == 1


def test_the_current_month_cannot_be_closed(community, trio):
    with pytest.raises(DomainError):
        closing.month_close(community=community, month=local_today(community))


def test_a_late_shared_expense_is_posted_with_the_next_allocation(community, trio, last_month, mid_last_month):
    from colocauto.core.clock import previous_month

    car = shared_car(community, trio["a"])
    earlier = previous_month(last_month)
    make_trip(car, trio["b"], 10, ended_at=mid_last_month - timedelta(days=31))
    closing.month_close(community=community, month=earlier)
    services.expense_record(
        membership=trio["c_membership"], vehicle=car, category="repair", amount=Decimal("25"), spent_on=earlier
    )

    closing.month_close(community=community, month=last_month)

    # Split by its own month's km: Bruno drove then.
    assert _balances(community) == {"Anne": Decimal("0.00"), "Bruno": Decimal("-25.00"), "Chloe": Decimal("25.00")}


def test_new_member_is_shown_with_a_zero_balance(community, trio):
    add_member(community, "Zoe")

    assert _balances(community)["Zoe"] == Decimal("0.00")
    assert account_balances(community) == {}


def test_french_line_explanations_need_no_agreement(community, trio):
    """An insurance (feminine) is never « payé »: the line names who paid without a participle to agree."""
    from tests.factories import ExpenseFactory

    insurance = ExpenseFactory(
        vehicle=trio["car"], paid_by=trio["b"], category=Expense.Category.INSURANCE, amount=Decimal("30.00")
    )
    with translation.override("fr"):
        text = explain(insurance.transactions.get())
    assert text.startswith("Assurance pour Clio (paiement : Bruno)") and "payé" not in text
