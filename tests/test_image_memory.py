"""Storing a picture takes a bounded share of a worker's memory, whatever picture is uploaded.

Vehicle photos, incident photos and picture receipts all go through ``colocauto.uploads.normalised_photo``.
Pillow's pixel buffers are invisible to tracemalloc, so each case runs in a fresh Python process that
reports how far above its resident memory at the start storing the pictures took it (its high-water mark,
VmHWM).
"""

import json
import math
import os
import sys
from pathlib import Path
from subprocess import run

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from colocauto.uploads import PHOTO_MAX_SIDE, validate_photo
from ledger.receipts import RECEIPT_MAX_SIDE
from tests.files import one_colour_png

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")

ROOT = Path(__file__).resolve().parent.parent
# What one upload may add to a worker's memory (a worker idles at about 150 MB).
BOUND_MB = 100

_MAKE = """
import json, sys
from PIL import Image
path, image_format, mode, width, height, options = sys.argv[1:]
colour = {"RGB": (200, 40, 40), "RGBA": (200, 40, 40, 128), "CMYK": (0, 80, 80, 20)}[mode]
Image.new(mode, (int(width), int(height)), colour).save(path, image_format, **json.loads(options))
"""

_STORE = """
import io, json, sys
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from colocauto.uploads import normalised_photo

def store(data):
    try:
        normalised_photo(SimpleUploadedFile("upload", data), max_side=max_side)
    except ValidationError as error:
        return error.code
    return "stored"

max_side, paths = int(sys.argv[1]), sys.argv[2:]
for image_format in ("PNG", "JPEG", "WEBP"):  # the codecs' own memory is the worker's, not the picture's
    warm_up = io.BytesIO()
    Image.new("RGB", (64, 64)).save(warm_up, image_format)
    store(warm_up.getvalue())
uploads = [open(path, "rb").read() for path in paths]

def memory_kb(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

# The peak since now: reset the kernel's high-water mark (Linux 4.0+) left by the imports; where it cannot
# be reset, the rise is measured from the current size, which can only overstate it. (Not ru_maxrss: it
# starts at the size of the parent that spawned the process.)
try:
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
except OSError:
    pass
before_kb = memory_kb("VmRSS")
outcomes = [store(data) for data in uploads]
rise_mb = (memory_kb("VmHWM") - before_kb) / 1024
print(json.dumps({"outcomes": outcomes, "rise_mb": rise_mb}))
"""


def _python(script: str, *arguments) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "colocauto.settings"}
    result = run(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", script, *map(str, arguments)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _make(path: Path, image_format: str, mode: str, size: tuple[int, int], options: dict) -> Path:
    _python(_MAKE, path, image_format, mode, *size, json.dumps(options))
    return path


def _store(paths: list[Path], *, max_side: int) -> dict:
    """Store the pictures one after the other, as for the photos of one request, in a fresh process."""
    return json.loads(_python(_STORE, max_side, *paths))


def test_a_one_colour_png_of_7700_pixels_square_is_refused_before_it_is_decoded(tmp_path):
    picture = tmp_path / "flat.png"
    picture.write_bytes(one_colour_png(7700, 7700))  # 0.2 MB, 59 megapixels: 240 MB once decoded

    result = _store([picture], max_side=PHOTO_MAX_SIDE)

    assert result["outcomes"] == ["too_many_pixels"]
    assert result["rise_mb"] < 20


@pytest.mark.parametrize(
    ("image_format", "mode", "options", "max_side"),
    [
        ("PNG", "RGB", {}, PHOTO_MAX_SIDE),
        ("PNG", "RGBA", {}, RECEIPT_MAX_SIDE),
        ("WEBP", "RGB", {"lossless": True}, PHOTO_MAX_SIDE),
        ("JPEG", "RGB", {"progressive": True}, PHOTO_MAX_SIDE),
        ("JPEG", "RGB", {"progressive": True, "subsampling": 0}, RECEIPT_MAX_SIDE),
        ("JPEG", "CMYK", {"progressive": True}, PHOTO_MAX_SIDE),
    ],
    ids=["png", "png-alpha-receipt", "webp", "progressive-jpeg", "progressive-jpeg-444-receipt", "cmyk-jpeg"],
)
def test_pictures_at_the_stated_limit_are_stored_one_at_a_time_within_the_memory_bound(
    tmp_path, image_format, mode, options, max_side
):
    extension = image_format.lower()
    probe = _make(tmp_path / f"probe.{extension}", image_format, mode, (6000, 4000), options)
    with pytest.raises(ValidationError) as refusal:
        validate_photo(SimpleUploadedFile("probe", probe.read_bytes()), max_side=max_side)
    assert refusal.value.code == "too_many_pixels"
    limit = refusal.value.params["limit"]  # megapixels, as the refusal tells the member
    width = math.isqrt(limit * 1_000_000 * 3 // 2)
    picture = _make(tmp_path / f"limit.{extension}", image_format, mode, (width, width * 2 // 3), options)

    result = _store([picture] * 3, max_side=max_side)

    assert result["outcomes"] == ["stored"] * 3
    assert result["rise_mb"] < BOUND_MB


def test_a_60_megapixel_jpeg_is_decoded_at_a_reduced_scale_within_the_memory_bound(tmp_path):
    picture = _make(tmp_path / "large.jpg", "JPEG", "RGB", (9000, 6600), {})

    result = _store([picture], max_side=RECEIPT_MAX_SIDE)

    assert result["outcomes"] == ["stored"]
    assert result["rise_mb"] < BOUND_MB
