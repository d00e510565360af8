"""EPC QR codes ("SEPA" QR, EPC069-12): a banking app scans one to prefill a credit transfer."""

from decimal import Decimal

import segno

from communities.validators import normalize_iban

MAX_AMOUNT = Decimal("999999999.99")


def epc_payload(*, name: str, iban: str, amount: Decimal, reference: str, bic: str = "", purpose: str = "") -> str:
    """The QR code's text, version 002 in UTF-8: BIC optional, amount in euros, free-text reference.

    The reference is the unstructured remittance line (an RF creditor reference would go on the
    line before, which stays empty); lines after the reference are left out, as the standard allows.
    """
    amount = Decimal(amount)
    if not Decimal("0.01") <= amount <= MAX_AMOUNT:
        raise ValueError("An EPC transfer is between 0.01 and 999999999.99 euros.")
    lines = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        bic.strip().upper(),
        " ".join(name.split())[:70],
        normalize_iban(iban),
        f"EUR{amount.quantize(Decimal('0.01'))}",
        purpose.strip().upper()[:4],
        "",
        " ".join(reference.split())[:140],
    ]
    return "\n".join(lines)


def epc_qr_data_uri(payload: str) -> str:
    """An SVG image of the QR code as a data URI (error correction M, as the standard requires)."""
    code = segno.make(payload, error="m", micro=False, boost_error=False, encoding="utf-8")
    return code.svg_data_uri(scale=4, border=4)
