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
    "kiosk_form",
    "kiosk_ui",
    "printing",
    "search_typing",
    "unlock_process",
    "desk",
    "sync",
    "outbox",
    "bundle",
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


def _section(name: str, module: object) -> str:
    """The section a run writes: ``cases`` at another size than 100,000 (``BENCH_CASES=300000``) keeps its
    own section (``cases_300k``) so that both sizes' figures stay in the document."""
    cases = getattr(module, "CASES", None)
    if name == "cases" and isinstance(cases, int) and cases != 100_000:
        return "cases_{0}k".format(cases // 1000)
    return name


def _order(sections: dict[str, str]) -> list[str]:
    """ALL's order; a size variant (``cases_300k``) right after its benchmark."""
    ordered: list[str] = []
    for n in ALL:
        ordered += [n] if n in sections else []
        ordered += sorted(s for s in sections if s.startswith(n + "_") and s not in ALL)
    return ordered


def main(names: list[str]) -> int:
    set_locale("en")
    wanted = names or list(ALL)
    done: dict[str, str] = {}
    for name in wanted:
        module = importlib.import_module("bench.bench_{0}".format(name))
        print("running", name, "…", flush=True)
        result = module.run()
        print(result)
        done[_section(name, module)] = result
    # Read the document only now: another benchmark may have written its section while this one ran.
    sections = _sections(DOC.read_text("utf-8")) if DOC.exists() else {}
    sections.update(done)
    body = INTRO + "".join(
        "\n<!-- bench:{0} -->\n{1}\n<!-- /bench -->\n".format(n, sections[n]) for n in _order(sections)
    )
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(body, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
