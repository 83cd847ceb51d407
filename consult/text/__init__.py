"""Flask-free processing of what participants write: cleaning, language detection, redaction."""
