"""The dates and times of a recurring booking (issue 12, item 5): weeks, every N weeks, the Nth weekday of the
month, month ends, changes of clock, and the rule in words in both languages."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from bookings.recurrence import (
    LAST,
    MONTHLY,
    WEEKLY,
    Recurrence,
    dates,
    nth_weekday,
    occurrences,
    rule_problem,
    summary,
)

PARIS = ZoneInfo("Europe/Paris")


def rule(first: date, until: date, *, frequency=WEEKLY, interval=1, start=time(14), end=time(18)) -> Recurrence:
    return Recurrence(frequency, interval, first, until, start, end)


def test_every_week_on_the_first_dates_weekday_until_the_last_date_included():
    assert dates(rule(date(2026, 12, 2), date(2026, 12, 23))) == [
        date(2026, 12, 2),
        date(2026, 12, 9),
        date(2026, 12, 16),
        date(2026, 12, 23),
    ]


def test_every_two_weeks():
    assert dates(rule(date(2026, 12, 2), date(2027, 1, 13), interval=2)) == [
        date(2026, 12, 2),
        date(2026, 12, 16),
        date(2026, 12, 30),
        date(2027, 1, 13),
    ]


def test_every_month_on_the_same_weekday_of_the_month():
    # 9 December 2026 is the second Wednesday: then the second Wednesday of each month.
    assert dates(rule(date(2026, 12, 9), date(2027, 3, 31), frequency=MONTHLY)) == [
        date(2026, 12, 9),
        date(2027, 1, 13),
        date(2027, 2, 10),
        date(2027, 3, 10),
    ]


def test_a_fifth_weekday_repeats_as_the_last_one_of_each_month():
    # 30 December 2026 is the fifth Wednesday; February has four, so its last one.
    first = rule(date(2026, 12, 30), date(2027, 3, 31), frequency=MONTHLY)
    assert first.ordinal == LAST
    assert dates(first) == [date(2026, 12, 30), date(2027, 1, 27), date(2027, 2, 24), date(2027, 3, 31)]


def test_every_two_months_across_the_end_of_the_year():
    assert dates(rule(date(2026, 11, 4), date(2027, 5, 31), frequency=MONTHLY, interval=2)) == [
        date(2026, 11, 4),
        date(2027, 1, 6),
        date(2027, 3, 3),
        date(2027, 5, 5),
    ]


@pytest.mark.parametrize(
    ("year", "month", "weekday", "ordinal", "expected"),
    [
        (2027, 2, 6, 4, date(2027, 2, 28)),  # February 2027: the 4th Sunday is its last day
        (2027, 2, 0, 1, date(2027, 2, 1)),  # a month that starts on a Monday
        (2028, 2, 1, LAST, date(2028, 2, 29)),  # leap day
        (2027, 12, 4, LAST, date(2027, 12, 31)),
    ],
)
def test_nth_weekday_at_month_ends(year, month, weekday, ordinal, expected):
    assert nth_weekday(year, month, weekday, ordinal) == expected


def test_the_local_times_stay_the_same_across_the_change_of_clock():
    # Clocks go forward on 28 March 2027 in Paris: 14:00 is 13:00 UTC before, 12:00 UTC after.
    found = occurrences(rule(date(2027, 3, 24), date(2027, 4, 7)), PARIS)
    assert [o.starts_at.astimezone(PARIS).time() for o in found] == [time(14)] * 3
    assert [o.starts_at.astimezone(UTC).hour for o in found] == [13, 12, 12]
    assert all((o.ends_at - o.starts_at).total_seconds() == 4 * 3600 for o in found)


def test_a_time_the_clock_skips_moves_forward_with_it():
    # 02:30 does not exist on 28 March 2027 in Paris: that date starts at 03:30, the real instant an hour later.
    found = occurrences(
        rule(date(2027, 3, 21), date(2027, 3, 28), frequency=WEEKLY, start=time(2, 30), end=time(5)), PARIS
    )
    assert found[0].starts_at == datetime(2027, 3, 21, 2, 30, tzinfo=PARIS)
    assert found[1].starts_at.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert found[1].starts_at.astimezone(PARIS).time() == time(3, 30)


def test_an_end_at_or_before_the_start_is_the_next_day():
    (only,) = occurrences(rule(date(2026, 12, 4), date(2026, 12, 4), start=time(20), end=time(8)), PARIS)
    assert (only.starts_at, only.ends_at) == (
        datetime(2026, 12, 4, 20, tzinfo=PARIS),
        datetime(2026, 12, 5, 8, tzinfo=PARIS),
    )


@pytest.mark.parametrize(
    ("until", "interval", "fragment"),
    [
        (date(2026, 12, 1), 1, "on or after the first date"),
        (date(2027, 12, 3), 1, "at most a year"),
        (date(2027, 1, 1), 13, "at most every 12"),
    ],
)
def test_a_rule_that_cannot_be_used_says_why(english, until, interval, fragment):
    assert fragment in rule_problem(rule(date(2026, 12, 2), until, interval=interval))


def test_a_year_is_the_longest_series(english):
    assert rule_problem(rule(date(2026, 12, 2), date(2027, 12, 2))) is None
    assert len(dates(rule(date(2026, 12, 2), date(2027, 12, 2)))) == 53


def test_the_rule_in_words_in_french():
    with translation.override("fr"):
        assert summary(rule(date(2026, 12, 2), date(2027, 2, 24))) == (
            "Toutes les semaines le mercredi de 14 h à 18 h jusqu’au 24 février 2027"
        )
        assert summary(rule(date(2026, 12, 2), date(2027, 7, 1), interval=2, end=time(18, 30))) == (
            "Toutes les 2 semaines le mercredi de 14 h à 18 h 30 jusqu’au 1er juillet 2027"
        )
        assert summary(rule(date(2026, 12, 9), date(2027, 4, 14), frequency=MONTHLY)) == (
            "Tous les mois le deuxième mercredi de 14 h à 18 h jusqu’au 14 avril 2027"
        )


def test_the_rule_in_words_in_english(english):
    assert summary(rule(date(2026, 12, 30), date(2027, 4, 14), frequency=MONTHLY, start=time(9, 15))) == (
        "Every month on the last Wednesday from 9:15 to 18:00 until 14 April 2027"
    )
