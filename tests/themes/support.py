"""Invented answers for theme tests (never text from the evaluation data)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Response, StaffUser
from consult.moderation.operations import Decision, decide

FAMILIES = {
    "bus": [
        "bus tickets cost too much for {who}",
        "the bus fares are far too expensive for {who}",
        "{who} cannot pay the bus tickets to reach the office",
        "cheaper bus tickets would help {who} a lot",
    ],
    "classes": [
        "{who} need free language classes in the evening",
        "language classes are full and {who} wait for months",
        "more evening language classes for {who} please",
        "{who} learn faster with language classes near home",
    ],
    "permits": [
        "work permits take too long for {who}",
        "{who} wait a year for work permits",
        "faster work permits so {who} can earn a living",
        "without work permits {who} stay idle",
    ],
    "housing": [
        "the rent of flats is too high for {who}",
        "{who} share tiny flats because the rent is high",
        "landlords refuse flats to {who} and the rent rises",
        "social flats with low rent for {who}",
    ],
}
WHO = ["families", "young people", "mothers", "students", "workers"]


def answers(*families: str) -> list[str]:
    return [t.format(who=w) for f in families for t in FAMILIES[f] for w in WHO]


def approve(app: Flask, response_ids: list[int], decision: Decision = Decision.APPROVE) -> None:
    with app.app_context():
        moderator = db.session.scalar(sa.select(StaffUser).order_by(StaffUser.id))
        for response_id in response_ids:
            decide(db.session.get(Response, response_id), moderator, decision)
        db.session.commit()
