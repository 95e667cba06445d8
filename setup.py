"""Build hook: the wheel carries what the app reads at run time, so ``pip install fzmediate-*.whl`` in a clean
environment runs (``fzmediate init``, a rendered PDF) with no Makefile step.

``build_py`` copies ``resources/`` (fonts, the signed catalogue, holiday tables, trust roots, kiosk data) into
the package as ``fzmediate/resources`` and compiles each translation catalog (``.po``) into its ``.mo`` there;
``fzmediate.resources.resources_dir`` finds that folder in an installed package. Left out: the catalogue's
readable source and its README (the app never reads them), the ``.po``/``.pot`` texts (only ``.mo`` is read)
and the font subsetting script.
Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RESOURCES = ROOT / "resources"
LEFT_OUT = ("source", "README.md", "build_subsets.py", "*.po", "*.pot", "*.mo", "*.cfg", "__pycache__")


def compile_catalogs(target: Path) -> list[Path]:
    """Compile every ``resources/locale/<lang>/LC_MESSAGES/*.po`` into ``target`` (same layout); fuzzy entries
    are left out, as ``pybabel compile`` does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted((RESOURCES / "locale").glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        out = target / po.relative_to(RESOURCES).with_suffix(".mo")
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(out)
    if not written:
        raise RuntimeError("no translation catalog found under resources/locale")
    return written


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "fzmediate" / "resources"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(RESOURCES, target, ignore=shutil.ignore_patterns(*LEFT_OUT))
        compile_catalogs(target)


setup(cmdclass={"build_py": BuildWithResources})
