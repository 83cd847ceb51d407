"""The WSGI entry point for production servers: `gunicorn consult.wsgi:app` (gunicorn.conf.py).

Unlike `create_app()`, it loads at start what each worker would otherwise load on its first
requests: py3langid's language model, Babel's data for the names of the offered languages (every
page lists them) and the compiled templates (kept in the instance folder between starts). Under
gunicorn's preload (gunicorn.conf.py) that happens once, in the master process, and the workers
share it by copy-on-write; see docs/benchmarks.md, "Worker footprint".
"""

import gc

# Loading the app makes about a million objects that live as long as the process; the collector's
# full passes over them while it loads cost about 0.1 s of the start and free almost nothing.
# It is switched on again below, after gc.freeze().
gc.disable()

from pathlib import Path  # noqa: E402

from consult import create_app  # noqa: E402
from consult.core.template_cache import keep_compiled_templates  # noqa: E402
from consult.i18n.languages import language_info  # noqa: E402
from consult.text.langdetect import warm_up  # noqa: E402

app = create_app()
keep_compiled_templates(app, Path(app.instance_path) / "cache" / "templates")
# py3langid's model restricted to our languages is kept in the instance folder and memory-mapped,
# so a start takes milliseconds for it and every worker maps the same pages.
warm_up(cache_dir=Path(app.instance_path) / "cache", lingua_models=False)
for code in app.config["CONSULT_LANGUAGES"]:
    language_info(code)  # cached: loads each language's CLDR data once, here
# Objects made so far live as long as the process: the collector never needs to visit them, and
# its visits would write to (and so un-share) every page a forked worker shares with the master.
gc.freeze()
gc.enable()
