"""Territory reports: only the territory's staff read its report; anyone signed in lists (their own, or no)
territories."""

from tests.api.matrix import Row, statuses

ROWS = [
    Row("territory_list", "get", statuses(outsider=200, member=200, owner=200, admin=200, staff=200, read_token=200)),
    Row(
        "territory_report",
        "get",
        statuses(member=404, owner=404, admin=404, staff=200, read_token=404),
        kwargs=lambda world: {"territory_id": world.territory.pk},
    ),
]
