"""`flask --app consult audit verify`: check that the audit log's hash chain is intact."""

from __future__ import annotations

import click
from flask.cli import AppGroup

audit_group = AppGroup("audit", help="The audit log.")


@audit_group.command("verify")
@click.option(
    "--anchor",
    metavar="HASH",
    help="A latest hash noted earlier: it must still be in the chain.",
)
def verify_command(anchor: str | None) -> None:
    """Check every event's hash and link; print the first broken link and exit 1 if any.

    Note the latest hash it prints somewhere the database's administrators cannot write (a ticket,
    a printed report): a later `verify --anchor HASH` then detects a rewritten chain or removed
    latest events, which the chain alone cannot.
    """
    from consult.audit.chain import verify_chain

    report = verify_chain(anchor)
    if report.broken_at is not None:
        click.echo(
            f"BROKEN: event {report.broken_at} {report.problem}; "
            f"{report.count} event(s) before it check out.",
            err=True,
        )
        raise SystemExit(1)
    if report.anchor_found is False:
        click.echo(
            f"BROKEN: the anchor {anchor} is not in the chain of {report.count} event(s) "
            "(the chain was rewritten or its latest events removed).",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"OK: {report.count} events, chain intact. Latest hash: {report.latest_hash}")
