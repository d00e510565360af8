"""EPC QR codes ("SEPA" QR, EPC069-12): a banking app scans one to prefill a credit transfer."""

import unicodedata
from decimal import Decimal

import segno

from colocauto.core.amounts import exact_decimal
from communities.validators import normalize_iban

MAX_AMOUNT = Decimal("999999999.99")
# EPC069-12: the whole payload is at most 331 bytes; the name at most 70 characters, the reference 140.
MAX_PAYLOAD_BYTES = 331
MAX_NAME_CHARS = 70
MAX_REFERENCE_CHARS = 140
# Room kept for the start of the reference when a long name has to be shortened.
REFERENCE_FLOOR_BYTES = 35


def grouped_iban(iban: str) -> str:
    """An IBAN as people read it: upper case, in groups of four (« FR76 3000 6000 … »)."""
    compact = normalize_iban(iban)
    return " ".join(compact[index : index + 4] for index in range(0, len(compact), 4))


def _fit(text: str, *, chars: int, size: int) -> str:
    """At most ``chars`` characters and ``size`` bytes of UTF-8, cut between two characters."""
    text = text[:chars]
    encoded = text.encode()
    if len(encoded) > size:
        # Cut at a byte: "ignore" drops only the character whose bytes were split.
        text = encoded[: max(size, 0)].decode(errors="ignore")
    return text.rstrip()


def epc_payload(*, name: str, iban: str, amount: Decimal, reference: str, bic: str = "", purpose: str = "") -> str:
    """The QR code's text, version 002 in UTF-8: BIC optional, amount in euros, free-text reference.

    The reference is the unstructured remittance line (an RF creditor reference would go on the
    line before, which stays empty); lines after the reference are left out, as the standard allows.
    The payload never exceeds 331 bytes: with long names in a script of 3 or 4 bytes a character,
    the reference is shortened first (down to its first 35 bytes), then the name, always between
    two characters. The amount must be exact: a float is refused (``InvalidAmount``).
    """
    amount = exact_decimal(amount)
    if not Decimal("0.01") <= amount <= MAX_AMOUNT:
        raise ValueError("An EPC transfer is between 0.01 and 999999999.99 euros.")
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    reference = unicodedata.normalize("NFC", " ".join(reference.split()))
    lines = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        bic.strip().upper()[:11],
        "",  # name
        normalize_iban(iban)[:34],
        f"EUR{amount.quantize(Decimal('0.01'))}",
        purpose.strip().upper()[:4],
        "",
        "",  # reference
    ]
    room = MAX_PAYLOAD_BYTES - len("\n".join(lines).encode())
    reserved = min(len(reference[:MAX_REFERENCE_CHARS].encode()), REFERENCE_FLOOR_BYTES)
    lines[5] = _fit(name, chars=MAX_NAME_CHARS, size=room - reserved)
    lines[10] = _fit(reference, chars=MAX_REFERENCE_CHARS, size=room - len(lines[5].encode()))
    return "\n".join(lines)


def epc_qr_data_uri(payload: str) -> str:
    """An SVG image of the QR code as a data URI (error correction M, as the standard requires)."""
    code = segno.make(payload, error="m", micro=False, boost_error=False, encoding="utf-8")
    return code.svg_data_uri(scale=4, border=4)
