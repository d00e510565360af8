"""Validation of the open-data feed against the official GBFS 3.0 JSON Schemas kept beside the tests."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator

SCHEMAS = Path(__file__).parent / "gbfs_schemas"


@cache
def validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft7Validator.check_schema(schema)
    # The schemas reference no other file, so nothing is ever fetched.
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def schema_errors(name: str, document: dict) -> list[str]:
    """Every way ``document`` breaks the schema of ``name``.json, as readable lines (empty when valid)."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator(name).iter_errors(document)
    ]
