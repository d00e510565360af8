"""Territory reports: only the territory's staff read its report; anyone signed in lists (their own, or no)
territories."""

from tests.api.matrix import EVERYONE_SIGNED_IN, Row, statuses

ROWS = [
    Row("territory_list", "get", EVERYONE_SIGNED_IN),
    Row(
        "territory_report",
        "get",
        statuses(member=404, owner=404, admin=404, staff=200, read_token=404),
        kwargs=lambda world: {"territory_id": world.territory.pk},
    ),
]
