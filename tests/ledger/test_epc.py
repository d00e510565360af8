"""EPC069-12 ("SEPA") QR payloads for settle-up transfers."""

from decimal import Decimal

import pytest
import segno.helpers

from colocauto.core.amounts import InvalidAmount
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


# What the app sends: "Colocauto <community name, 40 characters at most> <month>".
LONG_REFERENCE = "Colocauto " + "東京の共有カー" * 5 + " 2025-03"


def _payload_for(name, reference=LONG_REFERENCE, **extra):
    return epc_payload(
        name=name,
        iban="DE89370400440532013000",
        amount=Decimal("999999999.99"),
        reference=reference,
        bic="COBADEFFXXX",
        purpose="GDDS",
        **extra,
    )


@pytest.mark.parametrize(
    "name",
    [
        "山田太郎" * 18,  # 70 characters of 3 bytes
        "Ελένη Παπαδοπούλου-Κωνσταντινίδου " * 3,  # Greek, 2 bytes a letter
        "𠀋𡈽𡌛𡑮𡢽" * 14,  # 70 characters of 4 bytes
        "e\u0301" * 60,  # decomposed accents: normalised to "é", 2 bytes
    ],
)
def test_a_long_non_latin_name_is_shortened_to_keep_the_payload_within_331_bytes(name):
    import unicodedata

    payload = _payload_for(name)

    assert len(payload.encode("utf-8")) <= 331
    lines = payload.split("\n")
    expected = unicodedata.normalize("NFC", " ".join(name.split()))
    assert lines[5] and expected.startswith(lines[5])  # a prefix, cut between two characters
    assert lines[10].startswith("Colocauto")
    # segno's own EPC helper (the library's reading of EPC069-12) accepts the same fields.
    segno.helpers.make_epc_qr(name=lines[5], iban=lines[6], amount=Decimal("999999999.99"), text=lines[10])


def test_a_short_name_and_reference_are_kept_whole():
    payload = _payload_for("Ана Иванова", reference="Colocauto Соседи 2025-03")

    assert payload.split("\n")[5] == "Ана Иванова"
    assert payload.split("\n")[10] == "Colocauto Соседи 2025-03"


@pytest.mark.parametrize("amount", [10.5, float("nan"), Decimal("NaN"), Decimal("Infinity"), "inf"])
def test_payload_refuses_an_amount_that_is_not_exact(amount):
    with pytest.raises(InvalidAmount):
        epc_payload(name="Anne", iban="FR7630006000011234567890189", amount=amount, reference="x")
