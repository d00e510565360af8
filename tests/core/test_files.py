"""Serving a private upload: the content decides the type, never the file's name."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import Http404
from PIL import Image

from colocauto.core.files import IMAGE_FORMATS, PDF_FORMATS, private_file_response

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def _stored(name: str, content: bytes) -> FieldFile:
    field = models.FileField(storage=default_storage)
    return FieldFile(None, field, default_storage.save(name, ContentFile(content)))


def _body(response) -> bytes:
    body = b"".join(response.streaming_content)
    response.file_to_stream.close()
    return body


def test_a_picture_is_served_with_the_type_of_its_content_whatever_its_name():
    response = private_file_response(_stored("uploads/old.html", _png()), allowed=IMAGE_FORMATS)

    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Content-Disposition"] == 'inline; filename="old.png"'
    assert _body(response).startswith(b"\x89PNG")


def test_a_pdf_is_recognised_by_its_header_and_never_stored_by_the_browser():
    response = private_file_response(
        _stored("receipts/r.png", PDF), allowed=IMAGE_FORMATS | PDF_FORMATS, filename="receipt-4"
    )

    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="receipt-4.pdf"'
    assert _body(response) == PDF


def test_a_format_that_is_not_allowed_is_refused():
    with pytest.raises(Http404):
        private_file_response(_stored("receipts/r.pdf", PDF), allowed=IMAGE_FORMATS)


@pytest.mark.parametrize("content", [b"<script>alert(1)</script>", b"", b"%PD"])
def test_a_file_of_no_known_format_is_refused_even_with_a_picture_name(content):
    with pytest.raises(Http404):
        private_file_response(_stored("uploads/car.jpg", content), allowed=IMAGE_FORMATS | PDF_FORMATS)


def test_a_missing_file_is_a_404():
    stored = _stored("uploads/gone.png", _png())
    default_storage.delete(stored.name)

    with pytest.raises(Http404):
        private_file_response(stored, allowed=IMAGE_FORMATS)


def test_an_empty_file_field_is_a_404():
    with pytest.raises(Http404):
        private_file_response(FieldFile(None, models.FileField(storage=default_storage), ""), allowed=IMAGE_FORMATS)
