"""The WSGI entry point for production servers: `gunicorn consult.wsgi:app` (gunicorn.conf.py).

Unlike `create_app()`, it loads at start what each worker would otherwise load on its first
requests: the language detectors, and Babel's data for the names of the offered languages (every
page lists them). Under gunicorn's preload (gunicorn.conf.py) that happens once, in the master
process, and the workers share it by copy-on-write; see docs/benchmarks.md, "Worker footprint".
"""

import gc
from pathlib import Path

from consult import create_app
from consult.i18n.languages import language_info
from consult.text.langdetect import warm_up

app = create_app()
# py3langid's model restricted to our languages is kept in the instance folder and memory-mapped,
# so a start takes milliseconds for it and every worker maps the same pages.
warm_up(cache_dir=Path(app.instance_path) / "cache")
for code in app.config["CONSULT_LANGUAGES"]:
    language_info(code)  # cached: loads each language's CLDR data once, here
# Objects made so far live as long as the process: the collector never needs to visit them, and
# its visits would write to (and so un-share) every page a forked worker shares with the master.
gc.freeze()
