"""Short summaries the ledger's endpoints nest (a person, a vehicle), named for the ledger's area."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class LedgerMemberSerializer(serializers.Serializer):
    """A person as every member sees them in the ledger: their display name, nothing more."""

    id = serializers.IntegerField()
    display_name = serializers.CharField(source="name")


class LedgerVehicleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# Path ids are matched as any text (``<str:…>``) so that ``/expenses/abc/`` is a JSON 404 of the API rather than
# the resolver's page; the schema documents them as integers.
COMMUNITY_ID = OpenApiParameter("community_id", int, OpenApiParameter.PATH, description="The community's id.")
EXPENSE_ID = OpenApiParameter("expense_id", int, OpenApiParameter.PATH, description="The expense's id.")
TRANSFER_ID = OpenApiParameter("transfer_id", int, OpenApiParameter.PATH, description="The transfer's id.")
TERRITORY_ID = OpenApiParameter("territory_id", int, OpenApiParameter.PATH, description="The territory's id.")
