"""The append-only audit log: recording staff actions (`record`) and searching the log."""

from consult.audit.log import record

__all__ = ["record"]
