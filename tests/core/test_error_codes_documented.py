"""Every domain error code a service can raise is documented in docs/error-codes.md, so API clients and
tests can rely on it: a new code without a line there fails this test."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("colocauto", "communities", "vehicles", "bookings", "ledger", "territories", "api", "privacy", "backups")


def raised_codes() -> dict[str, str]:
    """code → where it is first raised (or declared as a class's default code)."""
    found: dict[str, str] = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                    for keyword in node.exc.keywords:
                        if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                            name = ast.unparse(node.exc.func)
                            if "ValidationError" not in name:
                                found.setdefault(keyword.value.value, f"{path.relative_to(ROOT)}:{node.lineno}")
                if (
                    isinstance(node, ast.Assign)
                    and any(isinstance(target, ast.Name) and target.id == "default_code" for target in node.targets)
                    and isinstance(node.value, ast.Constant)
                ):
                    found.setdefault(node.value.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def documented_codes() -> set[str]:
    text = (ROOT / "docs" / "error-codes.md").read_text()
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.M))


def test_every_raised_error_code_is_documented():
    missing = {code: where for code, where in raised_codes().items() if code not in documented_codes()}
    assert missing == {}


def test_the_document_lists_no_code_the_code_never_uses():
    source = "".join(
        path.read_text() for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
    )
    assert {code for code in documented_codes() if f'"{code}"' not in source} == set()
