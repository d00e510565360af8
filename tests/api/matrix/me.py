from tests.api.matrix import EVERYONE_SIGNED_IN, Row, statuses

ROWS = [
    # Everyone signed in has a profile: outsiders and territory staff too.
    Row("me", "get", EVERYONE_SIGNED_IN),
    Row(
        "me",
        "patch",
        statuses(outsider=200, member=200, owner=200, admin=200, staff=200, read_token=403),
        body=lambda world: {"display_name": "New name"},
    ),
]
