"""What a participant's browser keeps between pages: only references, never answers.

The signed session cookie holds, per consultation, the random token of the participant's draft (the
answers themselves are saved on the server at each step) and, between sending and the thank-you
page, the receipt code to show once. Phones are shared (families, camps), so whatever the cookie
holds is the next person's too: the code leaves it as soon as it is shown, a new journey drops
any code not yet shown, and "start again as a new person" empties the session.
"""

from __future__ import annotations

from flask import current_app, g, session

DRAFTS = "drafts"
RECEIPTS = "receipts"
# Kept in place of a code once the thank-you page has shown it, so that a reload can say so.
SHOWN = ""


def draft_token(slug: str) -> str | None:
    return session.get(DRAFTS, {}).get(slug)


def draft_tokens() -> list[str]:
    """The tokens of every draft this browser holds, whatever the consultation."""
    return [token for token in session.get(DRAFTS, {}).values() if token]


def remember_draft(slug: str, token: str) -> None:
    session.permanent = True
    session[DRAFTS] = {**session.get(DRAFTS, {}), slug: token}


def forget_draft(slug: str) -> None:
    drafts = dict(session.get(DRAFTS, {}))
    drafts.pop(slug, None)
    session[DRAFTS] = drafts


def remember_receipt(slug: str, code: str) -> None:
    session[RECEIPTS] = {**session.get(RECEIPTS, {}), slug: code}


def receipt_to_show(slug: str) -> str | None:
    """The code the thank-you page has to show, if it has not shown it yet."""
    return session.get(RECEIPTS, {}).get(slug) or None


def receipt_was_shown(slug: str) -> bool:
    return session.get(RECEIPTS, {}).get(slug) == SHOWN


def mark_receipt_shown(slug: str) -> None:
    """Drop the code from the session: the thank-you page has shown it, once."""
    session[RECEIPTS] = {**session.get(RECEIPTS, {}), slug: SHOWN}


def forget_receipts() -> None:
    """A new journey starts: a code not shown by now belongs to the person before."""
    session.pop(RECEIPTS, None)


def holds_anything() -> bool:
    """Whether this browser holds a draft or a receipt from an earlier visit."""
    return bool(session.get(DRAFTS)) or bool(session.get(RECEIPTS))


def forget_everything() -> None:
    """ "Start again as a new person": drafts, receipts and the forms' security token all go."""
    session.clear()
    renew_form_token()


def renew_form_token() -> None:
    """A new security (CSRF) token for this session's forms: every form shown before stops working.

    After a page that shows someone's answers in reply to a form, so that the same form sent again
    from the browser's Back or Forward button (with the phone's cookies as they are by then) is
    refused instead of showing the answers to whoever holds the phone next. Flask-WTF keeps the
    token's secret in the session and the request's signed token in `g`, both under
    WTF_CSRF_FIELD_NAME.
    """
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)
