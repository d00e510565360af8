"""Short summaries the ledger's endpoints nest (a person, a vehicle), named for the ledger's area."""

from __future__ import annotations

from django.http import Http404
from rest_framework import serializers

from colocauto.core.parsers import parse_id


class LedgerMemberSerializer(serializers.Serializer):
    """A person as every member sees them in the ledger: their display name, nothing more."""

    id = serializers.IntegerField()
    display_name = serializers.CharField(source="name")

    class Meta:
        ref_name = "LedgerMember"


class LedgerVehicleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "LedgerVehicle"


def object_id(value: object) -> int:
    """A row id from the path; 404 for anything no row can have (``99999999999999999999999``)."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number
