"""What many tests share: a page as a signed-in person, one of its sections, the bookings it links to, an image."""

import re
from io import BytesIO

from PIL import Image


def page(client, user, url: str, params: dict | None = None, *, language: str = "en") -> str:
    """The HTML of ``url`` (with the query ``params``) as ``user``, signed in and reading ``language``; the page must
    answer 200."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def section(html: str, labelled_by: str) -> str:
    """The inside of the page's ``<section aria-labelledby="…">``, or "" when the page has none."""
    match = re.search(rf'<section[^>]*aria-labelledby="{labelled_by}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def booking_ids(html: str) -> list[int]:
    """The bookings the HTML links to, in the order of the links."""
    return [int(pk) for pk in re.findall(r"/bookings/(\d+)/", html)]


def image_bytes(image_format: str = "PNG", size=(64, 40), exif: dict | None = None) -> bytes:
    """A small image file's content, with the EXIF tags given (e.g. ``{0x0112: 6}``: rotated)."""
    image = Image.new("RGB", size, (30, 90, 160))
    buffer = BytesIO()
    options = {}
    if exif:
        data = image.getexif()
        data.update(exif)
        options["exif"] = data.tobytes()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()
