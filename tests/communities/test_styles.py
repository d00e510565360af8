"""Global style rules a phone user notices: table labels punctuated per language, community tabs all in sight."""

import re
from pathlib import Path

from django.conf import settings

APP_CSS = Path(settings.BASE_DIR) / "static" / "css" / "app.css"


def _last_rule(selector: str) -> str:
    """The declarations of the last rule for ``selector`` (later rules win in CSS)."""
    rules = re.findall(r"(?:^|[}\n])\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", APP_CSS.read_text())
    assert rules, selector
    return rules[-1]


def test_phone_table_labels_use_english_colon_by_default_and_french_spacing_in_french():
    assert 'attr(data-label) ": "' in _last_rule("table.stack td[data-label]::before")
    assert 'attr(data-label) "\\00a0: "' in _last_rule(":lang(fr) table.stack td[data-label]::before")


def test_community_tabs_wrap_instead_of_scrolling_sideways():
    rule = _last_rule(".community-nav ul")
    assert "flex-wrap: wrap" in rule
    assert "overflow-x: visible" in rule
