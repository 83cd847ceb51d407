"""The WSGI entry point for production servers: `gunicorn 'consult.wsgi:app'`.

Unlike `create_app()`, it loads the language detectors before the first request, so the first
participant a worker serves does not wait about a second (see docs/benchmarks.md).
"""

from consult import create_app
from consult.text.langdetect import warm_up

app = create_app()
warm_up()
