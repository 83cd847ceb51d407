"""gunicorn's settings for Consult: `gunicorn consult.wsgi:app`, run from the repository root,
reads this file. Command-line flags (or GUNICORN_CMD_ARGS) override any value here, e.g.
`gunicorn --bind 0.0.0.0:8000 --workers 3 consult.wsgi:app`.

Measured in benchmarks/worker_footprint.py; figures and reasons in docs/benchmarks.md, "Worker
footprint".
"""

import os
import re

from gunicorn.glogging import Logger

bind = "127.0.0.1:8000"  # behind the reverse proxy that terminates TLS (docs/deploy.md)
# Sync workers: each takes one request at a time. Two suit the 2-core server Consult is sized for;
# gunicorn's own WEB_CONCURRENCY variable changes it.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = 30

# The master loads the app and the language models once, before forking; the workers share those
# pages by copy-on-write, and a worker that is replaced starts in milliseconds. A restart (not a
# HUP) is then needed to load new code.
preload_app = True

# Forwarded headers are judged in one place, the app's CONSULT_TRUSTED_PROXIES (Werkzeug's
# ProxyFix): gunicorn itself would otherwise believe X-Forwarded-Proto from 127.0.0.1.
forwarded_allow_ips = ""

# No access log: gunicorn's format starts with the client's address (%(h)s), and Consult never
# logs addresses. Errors go to standard error.
accesslog = None
errorlog = "-"
loglevel = "info"

# gunicorn 24+ opens a control socket in the home folder by default; Consult does not use it.
control_socket_disable = True


class AddressFreeLogger(Logger):
    """gunicorn's logger without the client address it puts in its "Invalid request" warning."""

    _INVALID_REQUEST = re.compile(r"^Invalid request from ip=.*?: ")

    def warning(self, msg, *args, **kwargs):
        if isinstance(msg, str):
            msg = self._INVALID_REQUEST.sub("Invalid request: ", msg)
        super().warning(msg, *args, **kwargs)


logger_class = AddressFreeLogger
