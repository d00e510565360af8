"""EPC069-12 ("SEPA") QR payloads for settle-up transfers."""

from decimal import Decimal

import pytest

from ledger.epc import epc_payload, epc_qr_data_uri


def test_payload_is_the_exact_epc_text_for_a_known_transfer():
    payload = epc_payload(
        name="Bruno  Martin",
        iban="fr76 3000 6000 0112 3456 7890 189",
        amount=Decimal("10.5"),
        reference="Colocauto Les Tilleuls 2025-03",
    )

    assert payload == (
        "BCD\n002\n1\nSCT\n\nBruno Martin\nFR7630006000011234567890189\nEUR10.50\n\n\nColocauto Les Tilleuls 2025-03"
    )


def test_payload_carries_an_optional_bic_and_caps_the_name_and_reference():
    payload = epc_payload(
        name="N" * 90, iban="DE89370400440532013000", amount=Decimal("1234.56"), reference="R" * 200, bic="cobadeffxxx"
    )
    lines = payload.split("\n")

    assert lines[4] == "COBADEFFXXX"
    assert len(lines[5]) == 70
    assert lines[7] == "EUR1234.56"
    assert len(lines[10]) == 140


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00"), Decimal("1000000000.00")])
def test_payload_refuses_amounts_a_bank_cannot_take(amount):
    with pytest.raises(ValueError):
        epc_payload(name="Anne", iban="FR7630006000011234567890189", amount=amount, reference="x")


def test_qr_code_is_an_svg_data_uri():
    uri = epc_qr_data_uri(
        epc_payload(name="Anne", iban="FR7630006000011234567890189", amount=Decimal("5"), reference="Colocauto")
    )

    assert uri.startswith("data:image/svg+xml")
    assert "svg" in uri
