"""Data retention: deleting answers once their consultation's retention period has passed, with
expired drafts and left-over files (`flask --app consult purge`, consult/cli/purge.py)."""
