from io import BytesIO

import pytest
from PIL import Image


def image_bytes(image_format: str = "PNG", size=(64, 40), exif: dict | None = None) -> bytes:
    image = Image.new("RGB", size, (30, 90, 160))
    buffer = BytesIO()
    options = {}
    if exif:
        data = image.getexif()
        data.update(exif)
        options["exif"] = data.tobytes()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The fixed people are created with a password; the default hasher makes every test slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
