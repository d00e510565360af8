"""Front-end assets vendored into static/vendor: each is the pinned release named in static/vendor/README.md
(its SHA-256 matches), with its license beside it."""

import hashlib
import re
from pathlib import Path

from django.conf import settings

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
ROW = re.compile(r"^\| (?P<asset>[^|]+) \|.*\| `(?P<file>[^`]+)` \(from [^)]*\) \| `(?P<sha>[0-9a-f]{64})` \|$")


def manifest() -> list[re.Match]:
    return [m for line in (VENDOR / "README.md").read_text().splitlines() if (m := ROW.match(line))]


def test_every_vendored_file_is_the_release_its_manifest_names():
    rows = manifest()
    assert rows, "static/vendor/README.md lists no asset"
    for row in rows:
        path = VENDOR / row["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha"], f"{row['file']} differs from the release"


def test_every_vendored_file_is_listed_and_has_its_license_beside_it():
    listed = {row["file"] for row in manifest()}
    files = {
        str(path.relative_to(VENDOR)) for path in VENDOR.rglob("*") if path.is_file() and path.suffix in {".js", ".css"}
    }
    assert files == listed
    for name in files:
        assert (VENDOR / name).parent.joinpath("LICENSE").is_file(), f"no LICENSE beside {name}"
