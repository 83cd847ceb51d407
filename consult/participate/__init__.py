"""The participant journey: consent, one page per recommendation, about you, review, receipt."""

from consult.participate.views import bp

__all__ = ["bp"]
