"""What erasing a person's account does to their API access (registered in ``api/privacy.py``): every
personal access token goes, with its name."""

from __future__ import annotations

from api.models import AccessToken
from colocauto.core.privacy import Eraser, erase_with
from communities.models import User

ERASES = ("api.AccessToken.user", "api.AccessToken.name", "api.AccessToken.prefix", "api.AccessToken.key_hash")


def erase_api(user: User) -> None:
    AccessToken.objects.filter(user=user).delete()


erase_with(Eraser(name="api", erase=erase_api, covers=ERASES))
