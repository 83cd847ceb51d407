"""What a participant's browser keeps between pages: only references, never answers.

The signed session cookie holds, per consultation, the random token of the participant's draft (the
answers themselves are saved on the server at each step) and, right after submitting, the receipt
code to show once.
"""

from __future__ import annotations

from flask import session

DRAFTS = "drafts"
RECEIPTS = "receipts"


def draft_token(slug: str) -> str | None:
    return session.get(DRAFTS, {}).get(slug)


def remember_draft(slug: str, token: str) -> None:
    session.permanent = True
    session[DRAFTS] = {**session.get(DRAFTS, {}), slug: token}


def forget_draft(slug: str) -> None:
    drafts = dict(session.get(DRAFTS, {}))
    drafts.pop(slug, None)
    session[DRAFTS] = drafts


def remember_receipt(slug: str, code: str) -> None:
    session[RECEIPTS] = {**session.get(RECEIPTS, {}), slug: code}


def shown_receipt(slug: str) -> str | None:
    return session.get(RECEIPTS, {}).get(slug)
