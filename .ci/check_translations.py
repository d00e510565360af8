"""Fail when the French catalogue is incomplete: an empty or fuzzy msgstr in locale/fr/LC_MESSAGES/*.po.

Run after ``manage.py makemessages`` has refreshed the catalogues from the source, so a string added
to the code but not translated shows up here. Usage: python .ci/check_translations.py [LANG ...]
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("django.po", "djangojs.po")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgid: str = ""
    msgstrs: dict[str, str] = field(default_factory=dict)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text!r}")
    return bytes(text[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def parse_po(path: Path) -> list[Entry]:
    """Entries of a gettext catalogue, without obsolete (#~) ones."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, str] | None = None  # ("msgid", "") or ("msgstr", index)

    def finish() -> None:
        nonlocal current, target
        if current is not None and current.msgstrs:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and current.msgstrs:
                finish()
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{number}: continuation line outside an entry")
            kind, index = target
            if kind == "msgid":
                current.msgid += _unquote(line)
            elif kind == "msgstr":
                current.msgstrs[index] += _unquote(line)
            continue
        if keyword == "msgctxt" or keyword == "msgid":
            if current is not None and current.msgstrs:
                finish()
            if current is None:
                current = Entry(line=number)
            target = ("msgid", "") if keyword == "msgid" else ("msgctxt", "")
            if keyword == "msgid":
                current.msgid = _unquote(rest)
            continue
        if keyword == "msgid_plural":
            target = ("msgid_plural", "")
            continue
        if keyword.startswith("msgstr"):
            if current is None:
                raise ValueError(f"{path}:{number}: msgstr without msgid")
            index = keyword[len("msgstr") :].strip("[]")
            current.msgstrs[index] = _unquote(rest)
            target = ("msgstr", index)
            continue
        raise ValueError(f"{path}:{number}: cannot read {line!r}")
    finish()
    return entries


def problems_in(path: Path) -> list[str]:
    found = []
    for entry in parse_po(path):
        if entry.msgid == "":
            continue  # the catalogue's header
        where = f"{path.relative_to(ROOT)}:{entry.line}"
        if "fuzzy" in entry.flags:
            found.append(f"{where}: fuzzy translation of {entry.msgid!r}")
        elif any(not text for text in entry.msgstrs.values()):
            found.append(f"{where}: no translation for {entry.msgid!r}")
    return found


def main(languages: list[str]) -> int:
    problems: list[str] = []
    for language in languages:
        directory = ROOT / "locale" / language / "LC_MESSAGES"
        catalogues = [directory / name for name in DOMAINS if (directory / name).exists()]
        if not catalogues:
            problems.append(f"locale/{language}/LC_MESSAGES/django.po does not exist (run manage.py makemessages)")
        for catalogue in catalogues:
            problems.extend(problems_in(catalogue))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} untranslated or fuzzy string(s).")
        return 1
    print("Translations complete: " + ", ".join(languages))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["fr"]))
