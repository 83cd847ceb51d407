"""Packaging details that pyproject.toml cannot express.

templates/ and translations/ live at the top of the repository (see docs/decisions.md) but ship
inside the wheel as `consult/_templates` and `consult/_translations`, and the gettext catalogs are
compiled into the wheel here, so `pip install .` gives a working app without any `make` step. Only
Babel is needed at build time (declared in [build-system]).
"""

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        translations = Path(self.build_lib) / "consult" / "_translations"
        for po_path in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name)
            with po_path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)


setup(
    packages=[
        *find_packages(include=["consult", "consult.*"]),
        "consult._templates",
        "consult._translations",
    ],
    package_dir={
        "consult": "consult",
        "consult._templates": "templates",
        "consult._translations": "translations",
    },
    package_data={
        "consult": ["static/*", "migrations/*", "migrations/versions/*.py"],
        "consult.consultations": ["*.schema.json"],
        "consult.consultations.demo": ["*.yaml"],
        "consult._templates": ["**/*.html", "**/*.svg"],
        "consult._translations": ["messages.pot", "*/LC_MESSAGES/messages.po"],
    },
    cmdclass={"build_py": BuildPyWithCatalogs},
)
