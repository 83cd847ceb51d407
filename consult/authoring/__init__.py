"""Organisers create and run consultations: settings, source text, recommendations and their text
versions, and the draft → open → closed lifecycle (issue 12)."""
