from tests.api.matrix import Row

ROWS = [
    # Everyone signed in has a profile: outsiders and territory staff too.
    Row(
        "me",
        "get",
        {"anonymous": 401, "outsider": 200, "member": 200, "owner": 200, "admin": 200, "staff": 200, "read_token": 200},
    ),
    Row(
        "me",
        "patch",
        {"anonymous": 401, "outsider": 200, "member": 200, "owner": 200, "admin": 200, "staff": 200, "read_token": 403},
        body=lambda world: {"display_name": "New name"},
    ),
]
