"""The REST API (outward layer): versioned under /api/v1/, on the same services and selectors as the pages."""
