"""The installers (issue 11): the PyInstaller bundle's size, unpacked and compressed, what takes the space;
the frozen app's cold start to the unlock screen; the .deb's size and install time.

Measures what ``make deb`` built (the bundle in dist/fzmediate, the package in dist/; built first if missing).
Targets: bundle ≤ 180 MB unpacked and ≤ 80 MB compressed; start ≤ 1.5 s (median, fresh process each run,
offscreen, page cache warm as after any earlier start on the same PC); ``dpkg -i`` ≤ 30 s (measured only as
root, with no fzmediate package installed, and removed again afterwards).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import zipfile
from fnmatch import fnmatch
from pathlib import Path

from bench.common import header, median
from fzmediate.security.keyslots import DEFAULT_KDF
from fzmediate.services.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = Path(os.environ.get("FZ_BUNDLE", ROOT / "dist" / "fzmediate"))
RUNS = 7
MB = 1_000_000
#: How the executable (outside _internal/, holding PyInstaller's archive of the Python code) is named in PARTS.
EXE = "<executable>"
#: The zip form is not how the bundle ships: it is listed beside tar.xz for comparison.
ZIP_NOTE = "— (for comparison: the .deb is xz, the Windows installer LZMA)"
NOTE = (
    "\nLeft out (installer/bundle_rules.py): Qt QML/Quick/virtual keyboard/Wayland/WebEngine and every unused Qt "
    "module, plugin and translation (only qtbase zh_CN/zh_TW kept), the system's X11/GL/GLib/CUPS libraries (the "
    ".deb depends on them), Babel's locale data other than en/zh, phonenumbers' geocoding/carrier data, Pillow's "
    "AVIF and Tk parts, lxml's objectify/HTML, the server, test and dev packages; binaries are stripped. ICU's data is "
    "rebuilt with only what Qt reads (installer/icu_trim.py: collation, time-zone names and code pages for root, "
    "English and Chinese); the UI font is the platform's CJK face (the .deb recommends fonts-noto-cjk; Windows has "
    "Microsoft YaHei UI), with the documents' own faces behind it for rare characters and for a system without "
    "any CJK face.\n"
)
#: The bundle's parts, in the order of the size table: (label, paths under _internal/, glob-style).
PARTS = [
    ("Fonts (resources/fonts)", ["resources/fonts/*"]),
    ("Other resources (catalogue, locale, kiosk, icons …)", ["resources/*"]),
    ("ICU (Qt's Unicode data and collation)", ["PySide6/Qt/lib/libicu*"]),
    ("Qt libraries (Core, Gui, Widgets, Pdf, Network …)", ["PySide6/Qt/lib/*"]),
    ("Qt plugins and translations", ["PySide6/Qt/plugins/*", "PySide6/Qt/translations/*"]),
    ("PySide6 bindings and shiboken", ["PySide6/*", "shiboken6/*", "libpyside6*", "libshiboken6*"]),
    ("Python runtime (libpython, stdlib, extensions)", ["libpython*", "python3*/*", "base_library.zip"]),
    ("cryptography", ["cryptography/*", "cryptography*/*"]),
    ("Pillow", ["PIL/*", "pillow.libs/*"]),
    ("lxml (pikepdf's XMP metadata)", ["lxml/*"]),
    ("pikepdf and qpdf", ["pikepdf/*", "pikepdf.libs/*"]),
    ("SQLCipher", ["sqlcipher3/*"]),
    ("The executable with the compiled Python code (SQLAlchemy, pydantic, reportlab, pyHanko, the app …)", [EXE]),
    ("System libraries the Python runtime links (OpenSSL, SQLite, libffi …)", ["lib*.so*"]),
]


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]


def size_table(bundle: Path) -> tuple[int, list[tuple[str, int]]]:
    """The bundle's total size and its parts: each file counted once, in the first part one of whose patterns
    (``fnmatch``, relative to ``_internal/``; ``*`` spans folders) it matches."""
    inside = bundle / "_internal"
    sizes = {p: p.stat().st_size for p in _files(bundle)}
    totals = [0] * (len(PARTS) + 1)
    for path, size in sizes.items():
        rel = path.relative_to(inside).as_posix() if path.is_relative_to(inside) else EXE
        hit = next((i for i, (_, pats) in enumerate(PARTS) if any(fnmatch(rel, g) for g in pats)), len(PARTS))
        totals[hit] += size
    labels = [label for label, _ in PARTS] + ["Everything else (pydantic-core, python-stdnum, babel, nacl, …)"]
    return sum(sizes.values()), list(zip(labels, totals, strict=True))


def compressed_sizes(bundle: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        txz = Path(tmp) / "fzmediate.tar.xz"
        with tarfile.open(txz, "w:xz", preset=6) as tar:
            tar.add(bundle, arcname="fzmediate")
        archive = Path(tmp) / "fzmediate.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for p in sorted(bundle.rglob("*")):
                if p.is_file():
                    z.write(p, Path("fzmediate") / p.relative_to(bundle))
        return {"tar.xz": txz.stat().st_size, "zip": archive.stat().st_size}


def _start_once(data: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.time()
    out = subprocess.run(
        [str(BUNDLE / "fzmediate"), "desk", "--data-dir", str(data), "--exit-when-ready"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
        cwd=data.parent,
    ).stdout
    ready = float(next(line for line in out.splitlines() if line.startswith("ready ")).split()[1])
    return (ready - t0) * 1000.0


def start_times() -> tuple[float, list[float]]:
    """The first start after the build (files partly cold) and ``RUNS`` starts after it."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        Workspace(data, kdf=DEFAULT_KDF).initialize("admin", "Granite-Orchid-Lantern-58")  # the unlock screen shows
        first = _start_once(data)
        return first, [_start_once(data) for _ in range(RUNS)]


def deb_install_seconds(deb: Path) -> float | None:
    """``dpkg -i`` wall time, or None where the package cannot be installed here (not root, or installed)."""
    if os.geteuid() != 0 or shutil.which("dpkg") is None:
        return None
    if subprocess.run(["dpkg-query", "-W", "fzmediate"], capture_output=True).returncode == 0:
        return None
    t0 = time.perf_counter()
    subprocess.run(["dpkg", "-i", str(deb)], check=True, capture_output=True)
    took = time.perf_counter() - t0
    subprocess.run(["dpkg", "--purge", "fzmediate"], check=True, capture_output=True)
    return took


def run() -> str:
    if not (BUNDLE / "fzmediate").is_file() or not list((ROOT / "dist").glob("fzmediate_*.deb")):
        subprocess.run(["make", "deb"], cwd=ROOT, check=True)  # a fresh checkout: build what is measured
    total, rows = size_table(BUNDLE)
    packed = compressed_sizes(BUNDLE)
    first, samples = start_times()
    debs = sorted((ROOT / "dist").glob("fzmediate_*.deb"))
    install = deb_install_seconds(debs[-1]) if debs else None
    table = "".join("| {0} | {1:.1f} MB |\n".format(label, size / MB) for label, size in rows)
    deb_size = "{0:.1f} MB".format(debs[-1].stat().st_size / MB) if debs else "not built"
    install_line = "{0:.1f} s".format(install) if install is not None else "not measured (needs root, not installed)"
    return (
        header("Installers: bundle size, frozen start, .deb install (issue 11)")
        + "\n`make deb`, then `.venv/bin/python -m bench bundle`. The one-folder bundle `dist/fzmediate` "
        "(PyInstaller, installer/fzmediate.spec).\n\n"
        + "| what | measured | target |\n|---|---|---|\n"
        + "| bundle, unpacked | {0:.1f} MB ({1:.1f} MiB) | ≤ 180 MB |\n".format(total / MB, total / 2**20)
        + "| bundle, tar.xz (-6) | {0:.1f} MB | ≤ 80 MB |\n".format(packed["tar.xz"] / MB)
        + "| bundle, zip (deflate -9) | {0:.1f} MB | {1} |\n".format(packed["zip"] / MB, ZIP_NOTE)
        + "| .deb (xz) | {0} | — |\n".format(deb_size)
        + "| frozen start to the unlock screen, median of {0} | {1:.0f} ms (min {2:.0f}, max {3:.0f}) ".format(
            RUNS, median(samples), min(samples), max(samples)
        )
        + "| ≤ 1500 ms |\n"
        + "| frozen start, the first after the build | {0:.0f} ms | — |\n".format(first)
        + "| `dpkg -i` of the .deb | {0} | ≤ 30 s |\n".format(install_line)
        + "\nWhat takes the space (unpacked):\n\n| part | size |\n|---|---|\n"
        + table
        + NOTE
    )
