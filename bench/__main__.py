"""Run the benchmarks and write docs/benchmarks.md.

make bench                      # all
.venv/bin/python -m bench unlock store   # some
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from fzmediate.i18n import set_locale

ALL = (
    "unlock",
    "trust",
    "store",
    "startup",
    "cases",
    "documents",
    "kiosk",
    "printing",
    "search_typing",
    "unlock_process",
)
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
INTRO = """# Benchmarks

Every figure an issue names is measured here, by `make bench` (or `.venv/bin/python -m bench NAME …`),
never by a timed assertion in a test. Medians (and p95 where asked) of several runs: these machines are noisy.
Each section below is replaced when its benchmark runs again.
"""


def _sections(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for chunk in text.split("\n<!-- bench:")[1:]:
        name, _, body = chunk.partition(" -->\n")
        parts[name.strip()] = body.split("\n<!-- /bench -->")[0]
    return parts


def main(names: list[str]) -> int:
    set_locale("en")
    wanted = names or list(ALL)
    sections = _sections(DOC.read_text("utf-8")) if DOC.exists() else {}
    for name in wanted:
        module = importlib.import_module("bench.bench_{0}".format(name))
        print("running", name, "…", flush=True)
        result = module.run()
        print(result)
        sections[name] = result
    body = INTRO + "".join(
        "\n<!-- bench:{0} -->\n{1}\n<!-- /bench -->\n".format(n, sections[n]) for n in ALL if n in sections
    )
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(body, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
