"""My account's statement: the current month by default, month navigation, an all-time view a page at a time,
opening balances from ``account_balance_before``, exports that stream, and a query scoped to the account."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from ledger import statement_selectors, views
from ledger.models import Transaction
from ledger.posting import account_for, post
from ledger.statement_selectors import LinePosition, account_balance_before, statement_page
from tests.factories import CommunityFactory
from tests.helpers import MID_MONTH, english, page, queries_to_get, url
from tests.ledger.conftest import add_member

pytestmark = pytest.mark.time_machine(MID_MONTH, tick=False)

NOVEMBER = date(2026, 11, 1)
OCTOBER = date(2026, 10, 1)


def line(community, member, other, amount: str, on: date):
    """A line of ``amount`` on ``member``'s account (the opposite on ``other``'s), dated ``on``."""
    record, _created = post(
        community=community,
        kind=Transaction.Kind.EXPENSE,
        on=on,
        lines=[
            (account_for(community, member.pk), Decimal(amount)),
            (account_for(community, other.pk), -Decimal(amount)),
        ],
        note=f"line {amount}",
    )
    return record


def daily_lines(community, member, other, month: date, days: int) -> None:
    """A line of ``day``.00 on each of the first ``days`` days of ``month`` (a first of the month)."""
    for day in range(1, days + 1):
        line(community, member, other, f"{day}.00", month.replace(day=day))


@pytest.fixture
def pair(community):
    anne, anne_membership = add_member(community, "Anne")
    bruno, _ = add_member(community, "Bruno")
    return anne, bruno, anne_membership


@pytest.fixture
def reading(client, pair):
    """``pair``, with Anne signed in and reading English."""
    english(pair[0])
    client.force_login(pair[0])
    return pair


# --- The opening balance -------------------------------------------------------------------------


def test_the_balance_before_a_day_sums_the_accounts_earlier_lines_only(community, pair):
    anne, bruno, _membership = pair
    line(community, anne, bruno, "10.00", date(2026, 9, 30))
    line(community, anne, bruno, "2.50", date(2026, 10, 1))
    line(community, bruno, anne, "100.00", date(2026, 9, 1))  # -100 for Anne
    elsewhere = CommunityFactory()
    stranger, _ = add_member(elsewhere, "Stranger")
    other, _ = add_member(elsewhere, "Other")
    line(elsewhere, stranger, other, "7.00", date(2026, 9, 1))
    account = account_for(community, anne.pk)

    assert account_balance_before(account.pk, date(2026, 10, 1)) == Decimal("-90.00")
    assert account_balance_before(account.pk, date(2026, 10, 2)) == Decimal("-87.50")
    assert account_balance_before(account.pk, date(2026, 9, 1)) == Decimal("0.00")


# --- The page: this month, month navigation ------------------------------------------------------


def test_my_account_opens_on_the_current_month_from_the_balance_brought_forward(client, community, pair):
    anne, bruno, _membership = pair
    line(community, anne, bruno, "40.00", date(2026, 10, 20))
    line(community, anne, bruno, "3.00", date(2026, 11, 2))

    html = page(client, anne, url("ledger_account", community))

    assert "Statement for November 2026" in html
    assert "line 3.00" in html and "line 40.00" not in html
    opening = re.search(r'ledger-opening">(.*?)</tr>', html, re.S).group(1)
    assert "Balance brought forward" in opening and "€40.00" in opening
    assert "€43.00" in html  # the running balance after this month's line


def test_the_months_around_link_back_to_the_first_line_and_not_past_this_month(client, community, pair):
    anne, bruno, _membership = pair
    line(community, anne, bruno, "5.00", date(2026, 9, 20))

    now = page(client, anne, url("ledger_account", community))
    first = page(client, anne, url("ledger_account", community), {"month": "2026-09"})

    assert '?month=2026-10" rel="prev"' in now and 'rel="next"' not in now.split("ledger-months")[1].split("</nav>")[0]
    assert "Previous month:" in now
    assert 'rel="prev"' not in first.split("ledger-months")[1].split("</nav>")[0]
    assert '?month=2026-10" rel="next"' in first


@pytest.mark.parametrize(
    ("month", "title"), [("2026-10", "Relevé d’octobre 2026"), ("2026-11", "Relevé de novembre 2026")]
)
def test_the_french_title_elides_before_a_vowel(client, community, pair, month, title):
    anne, _bruno, _membership = pair

    html = page(client, anne, url("ledger_account", community), {"month": month}, language="fr")

    assert f'<h2 id="statement-title">{title}</h2>' in html


def test_a_bad_month_is_explained_and_the_current_month_shown(client, community, pair):
    anne, _bruno, _membership = pair

    html = page(client, anne, url("ledger_account", community), {"month": "March"})

    assert "Enter a month as YYYY-MM" in html
    assert "Statement for November 2026" in html


# --- Pages: a long month, all time ---------------------------------------------------------------


def _walk_back(membership, user, **window):
    """Every page of a window from its latest (all time) or first (a month), following the links."""
    pages = [statement_page(membership, user, **window)]
    while pages[-1].earlier is not None:
        pages.append(statement_page(membership, user, before=pages[-1].earlier, **window))
    return pages


def test_all_time_pages_cover_every_line_once_with_each_pages_opening_balance(community, pair, monkeypatch):
    monkeypatch.setattr(statement_selectors, "STATEMENT_PAGE_SIZE", 3)
    anne, bruno, membership = pair
    amounts = [Decimal(f"{index}.00") for index in range(1, 9)]
    days = [date(2026, 9, 1)] * 4 + [date(2026, 9, 2)] * 2 + [date(2026, 10, 5)] * 2  # pages split a day
    for amount, day in zip(amounts, days, strict=True):
        line(community, anne, bruno, str(amount), day)

    pages = _walk_back(membership, anne)
    lines = [item for one in reversed(pages) for item in one.lines]

    assert [len(one.lines) for one in pages] == [3, 3, 2]
    assert [item.amount for item in lines] == amounts
    assert [item.position for item in lines] == sorted(item.position for item in lines)
    running = Decimal("0.00")
    for one in reversed(pages):
        assert one.opening == running
        running = one.closing
    assert running == sum(amounts)
    assert pages[0].later is None and pages[-1].earlier is None
    forward = statement_page(membership, anne, after=pages[-1].lines[-1].position)
    assert [item.amount for item in forward.lines] == amounts[2:5]
    assert forward.opening == sum(amounts[:2])


def test_a_long_month_is_shown_a_page_at_a_time(client, community, reading, monkeypatch):
    monkeypatch.setattr(statement_selectors, "STATEMENT_PAGE_SIZE", 4)
    anne, bruno, _membership = reading
    line(community, anne, bruno, "100.00", date(2026, 10, 31))
    daily_lines(community, anne, bruno, NOVEMBER, 10)

    first = client.get(url("ledger_account", community)).content.decode()
    later = re.search(r'href="(\?month=2026-11&amp;after=[^"]+)" rel="next">Later lines', first).group(1)
    second = client.get(url("ledger_account", community) + later.replace("&amp;", "&")).content.decode()

    assert "line 4.00" in first and "line 5.00" not in first
    assert "Balance after these lines" in first
    assert "line 5.00" in second and "line 8.00" in second and "line 4.00" not in second
    assert "Balance before these lines" in second and "€110.00" in second  # 100 + 1 + 2 + 3 + 4


@pytest.mark.parametrize("params", [{}, {"all": "1"}], ids=["this_month", "all_time"])
def test_my_account_takes_the_same_queries_for_2_and_200_lines(client, community, pair, params):
    anne, bruno, _membership = pair
    client.force_login(anne)
    daily_lines(community, anne, bruno, NOVEMBER, 2)
    few = queries_to_get(client, url("ledger_account", community), params)
    for index in range(198):
        line(community, anne, bruno, f"{index + 3}.00", date(2026, 11, 1 + index % 17))

    assert queries_to_get(client, url("ledger_account", community), params) == few


# --- Exports -------------------------------------------------------------------------------------


def test_the_csv_streams_every_line_in_chunks_with_a_continuous_balance(client, community, reading, monkeypatch):
    monkeypatch.setattr(statement_selectors, "EXPORT_CHUNK", 3)
    anne, bruno, _membership = reading
    daily_lines(community, anne, bruno, OCTOBER, 8)

    response = client.get(url("ledger_statement_csv", community))

    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row[4:] for row in rows[1:]] == [[f"{day}.00", f"{sum(range(1, day + 1))}.00"] for day in range(1, 9)]


def test_a_years_pdf_starts_from_the_balance_brought_forward(client, community, reading):
    from pypdf import PdfReader

    anne, bruno, _membership = reading
    line(community, anne, bruno, "12.00", date(2025, 12, 31))
    line(community, anne, bruno, "3.00", date(2026, 2, 1))

    response = client.get(url("ledger_statement_pdf", community), {"year": "2026"})

    assert response["Content-Disposition"].endswith('-anne-2026.pdf"')
    text = "".join(one.extract_text() for one in PdfReader(io.BytesIO(response.content)).pages)
    assert "Balance brought forward" in text and "12.00" in text and "15.00" in text


def test_a_pdf_of_too_many_lines_sends_back_to_choose_a_year(client, community, reading, monkeypatch):
    monkeypatch.setattr(views, "MAX_PDF_LINES", 3)
    anne, bruno, _membership = reading
    daily_lines(community, anne, bruno, OCTOBER, 4)

    response = client.get(url("ledger_statement_pdf", community), follow=True)

    assert response.redirect_chain[-1][0].endswith("?all=1#statement-exports")
    html = response.content.decode()
    assert "too many for one PDF" in html
    assert '<option value="2026">2026</option>' in html


# --- The query reads one account's range of one index --------------------------------------------


@pytest.mark.postgres("the plan is PostgreSQL's")
def test_the_statement_reads_the_accounts_date_index_and_no_other_communitys_rows(community, pair):
    anne, bruno, membership = pair
    line(community, anne, bruno, "1.00", date(2026, 11, 2))

    with CaptureQueriesContext(connection) as captured:
        statement_page(membership, anne, since=NOVEMBER, until=date(2026, 12, 1))
        statement_page(membership, anne, before=LinePosition(date(2026, 11, 3), 1))
    reads = [query["sql"] for query in captured.captured_queries if 'FROM "ledger_entry"' in query["sql"]]
    scans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test tables are tiny: ask what the indexes allow
        for sql in reads:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            scans.append(list(_scans(cursor.fetchone()[0][0]["Plan"])))

    assert len(scans) == 5  # a month's lines and opening; a page's lines, its day's start and its same-day lines
    for plan in scans:
        entries = [(index, cond) for relation, index, cond in plan if relation == "ledger_entry"]
        assert len(entries) == 1
        index, cond = entries[0]
        assert index == "entry_account_date" and "account_id =" in cond and "date" in cond
        # Transactions are only fetched by id, for the lines found: never searched by community or date.
        assert all(
            index == "ledger_transaction_pkey" for relation, index, _c in plan if relation == "ledger_transaction"
        )


def _scans(node):
    """(table, index, index condition) of every scan in an EXPLAIN plan (a bitmap scan's index is its child's)."""
    children = node.get("Plans", [])
    if node["Node Type"] == "Bitmap Heap Scan":
        (bitmap,) = children
        yield node["Relation Name"], bitmap.get("Index Name"), bitmap.get("Index Cond", "")
        return
    if "Relation Name" in node:
        yield node["Relation Name"], node.get("Index Name"), node.get("Index Cond", "")
    for child in children:
        yield from _scans(child)
