from io import BytesIO

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
