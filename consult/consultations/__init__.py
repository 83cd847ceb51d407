"""Consultations and their content: localised text, the demo consultation (later: authoring)."""
