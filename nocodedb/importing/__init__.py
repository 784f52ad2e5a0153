"""Importing files (CSV, XLSX, JSON, pasted text) into new or existing tables."""
