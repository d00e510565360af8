"""Files for upload tests, built in memory: real PDFs, and pictures of any size that cost nothing to make."""

import struct
import zlib
from io import BytesIO

from pypdf import PdfWriter


def pdf_bytes(pages: int = 1, *, password: str = "") -> bytes:
    """A real PDF of ``pages`` blank A4 pages, encrypted with ``password`` if one is given."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def one_colour_png(width: int, height: int, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """An RGB PNG of one colour: a few hundred kB for tens of megapixels, made in a moment and never held
    decoded. One block of rows is deflated once, flushed to a byte boundary with an empty dictionary, and
    repeated; only the checksum goes over every row."""
    row = b"\x00" + bytes(rgb) * width
    block_rows = max(1, min(height, (1 << 20) // len(row)))
    full_blocks, rest = divmod(height, block_rows)

    def deflated(rows: int) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(row * rows) + compressor.flush(zlib.Z_FULL_FLUSH) if rows else b""

    checksum = 1
    for _ in range(full_blocks):
        checksum = zlib.adler32(row * block_rows, checksum)
    checksum = zlib.adler32(row * rest, checksum)
    # zlib header, the blocks, an empty final block, the Adler-32 of every row.
    pixels = (
        b"\x78\xda" + deflated(block_rows) * full_blocks + deflated(rest) + b"\x03\x00" + struct.pack(">I", checksum)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")
