"""How long a participant waits when saving an answer and when sending the whole submission.

Saving an answer with text runs language detection; sending runs the personal-data scan on every
answer. Both go through the real forms (CSRF included) on a fresh SQLite database.

Run: .venv/bin/python benchmarks/submission_timing.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from consult.consultations.demo import load_demo
from consult.core.extensions import db
from tests.conftest import make_test_app
from tests.support.browser import Browser
from tests.support.journey import SLUG

ANSWERS = [
    "We need lawyers who speak our language, otherwise we sign papers we do not understand.",
    "نحتاج إلى محامين يتكلمون لغتنا، وإلا نوقع أوراقاً لا نفهمها.",
    "ما به وکیل رایگان نیاز داریم، چون پول نداریم و قانون را نمی‌فهمیم.",
    "Нам нужен бесплатный адвокат, потому что у нас нет денег.",
    "ጠበቓ ብነጻ ክወሃበና ኣለዎ፣ ምኽንያቱ ገንዘብ የብልናን።",
    "Tunahitaji wakili wa bure kwa sababu hatuna pesa. Call me on +254 712 345678.",
    "Nou bezwen yon avoka gratis paske nou pa gen lajan.",
    "Ücretsiz avukat lazım çünkü paramız yok ve yasaları anlamıyoruz.",
]


def one_participant(app) -> tuple[list[float], float]:
    browser = Browser(app.test_client())
    browser.get(f"/en/c/{SLUG}/")
    browser.submit({"agree": "y"})
    saves = []
    for text in ANSWERS:
        started = time.perf_counter()
        browser.submit({"stance": "agree", "text": text}, button=("action", "next"))
        saves.append(time.perf_counter() - started)
    browser.submit(button=("action", "next"))  # about you
    started = time.perf_counter()
    page = browser.submit()
    assert page.url.endswith("/thanks"), page.url
    return saves, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = make_test_app(f"sqlite:///{folder}/bench.sqlite3")
        with app.app_context():
            upgrade()
            load_demo()
            db.session.commit()
        first_saves, first_submit = one_participant(app)
        saves, submits = [], []
        for _ in range(20):
            s, t = one_participant(app)
            saves += s
            submits.append(t)
        saves.sort()
        print(
            f"first save in a fresh process (loads the detectors): {first_saves[0] * 1000:.0f} ms"
        )
        print(f"first submission in a fresh process: {first_submit * 1000:.0f} ms")
        print(f"saving one answer with text, {len(saves)} saves:")
        p95 = saves[int(len(saves) * 0.95)]
        print(f"  median {statistics.median(saves) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
        median_submit = statistics.median(submits) * 1000
        print(f"sending 8 written answers, 20 submissions: median {median_submit:.1f} ms")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
