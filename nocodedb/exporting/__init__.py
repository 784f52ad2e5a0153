"""Exports of a table or a view as CSV, XLSX, JSON or GeoJSON, streamed page by page."""
