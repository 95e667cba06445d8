"""ICU's data trimmed to what Qt uses, rebuilt from the PySide6 wheel at bundle time (used by ``fzmediate.spec``).

The wheel's ``libicudata.so.73`` (32 MB) is nothing but ICU's common data package behind the symbol
``icudt73_dat``. QtCore calls ICU for four things only (its undefined ``*_73`` symbols): case mapping
(``u_strToUpper``/``u_strToLower``, data built into libicuuc), collation (``ucol_*``: QCollator, locale-aware
sorting in Qt's own views and file dialog), time-zone display names (``ucal_*``) and the legacy text codecs
(``ucnv_*``: QStringConverter). Qt 6 breaks lines and words with its own Unicode tables, not ICU's break
iterators; it has its own IDNA and locale data (QLocale), and never asks ICU for unit, currency, language or
region names, number spell-out, transliteration or spoof checks.

So the package keeps: every item that is not per-locale data (the ToC's supplemental tables, time-zone rules,
normalization, converter aliases); the collation and time-zone-name trees and the top-level locale data for
root, English and Chinese (zh, zh_Hans*, zh_Hant*: pinyin and stroke order); the Chinese and Western code
pages. It drops the break-iterator rules and dictionaries, transliterators, spell-out rules, the unit,
currency, language and region name trees, character names, stringprep profiles, confusables, the layout and
emoji properties and the other code pages. ``icupkg`` (apt: icu-devtools; the common data format is the same
from ICU 4 to 7x) removes the items; a two-line assembler file with ``.incbin`` makes a library with the same
soname exporting the same symbol (gcc). Nothing built here is committed.

By hand: ``python installer/icu_trim.py LIBICUDATA OUT_DIR`` prints what was kept.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Trees whose per-locale files are kept (for root, English and Chinese only).
LOCALE_TREES = {"", "coll", "zone"}
#: Trees nothing in Qt reads (see the module's docstring).
DROPPED_TREES = {"brkitr", "translit", "rbnf", "unit", "curr", "lang", "region"}
#: Locales kept in LOCALE_TREES.
KEPT_LOCALES = re.compile(r"(root|en|en_\w+|zh|zh_\w+)$")
#: A per-locale file's base name (``de``, ``sr_Latn_BA``, ``en_US_POSIX``, ``de__PHONEBOOK``); ``root`` and
#: each tree's ``res_index`` (its list of locales) match it too and are kept.
LOCALE_NAME = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]*)*$")
#: Code pages kept: GB 18030, GBK and EUC-CN, Big5 and Big5-HKSCS, EUC-TW and CNS 11643, and the small
#: ISO 8859 / Windows Latin tables.
KEPT_CONVERTERS = re.compile(
    r"(gb18030|windows-936-2000|ibm-1386_|ibm-1383_|windows-950-2000|ibm-5471_|ibm-1375_|ibm-1373_|ibm-950_|euc-tw-2014"
    r"|ibm-964_|cns-11643-1992|iso-8859_|ibm-91[0-9]_|ibm-5346_|ibm-5347_|ibm-5348_|ibm-5349_|ibm-5350_"
    r"|ibm-5351_|ibm-5352_|ibm-5353_|ibm-5354_|windows-87[0-9]-2000).*\.cnv$"
)
#: Single items nothing in Qt reads: character names, confusables, stringprep profiles, layout and emoji
#: properties.
DROPPED_SUFFIXES = (".spp", ".cfu")
DROPPED_ITEMS = {"unames.icu", "ulayout.icu", "uemoji.icu"}

SYMBOL = "icudt73_dat"
PACKAGE = "icudt73l"
SONAME = "libicudata.so.73"


def keep_item(item: str) -> bool:
    """Whether an item of the data package (``coll/zh.res``, ``gb18030.cnv`` — as ``icupkg -l`` lists them)
    stays in the trimmed package."""
    tree, _, name = item.rpartition("/")
    if tree in DROPPED_TREES or item in DROPPED_ITEMS or item.endswith(DROPPED_SUFFIXES):
        return False
    if item.endswith(".cnv"):
        return KEPT_CONVERTERS.match(item) is not None
    stem, _, suffix = name.rpartition(".")
    if tree in LOCALE_TREES and suffix == "res" and LOCALE_NAME.match(stem) and stem not in ("root", "res_index"):
        return KEPT_LOCALES.match(stem) is not None
    return True


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise SystemExit("{0} failed: {1}".format(args[0], done.stderr.strip()[-2000:]))
    return done.stdout


def extract_package(lib: Path) -> bytes:
    """The common data package inside ``libicudata.so.73``: the bytes of the ``icudt73_dat`` object."""
    symbols = _run("readelf", "-W", "--dyn-syms", lib)
    for line in symbols.splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[7] == SYMBOL:
            address, size = int(fields[1], 16), int(fields[2], 0)
            break
    else:
        raise SystemExit("{0}: no {1} symbol; not ICU 73's data library".format(lib, SYMBOL))
    # The symbol's address is a virtual address; its section maps it to a file offset.
    for line in _run("readelf", "-W", "-S", lib).splitlines():
        match = re.search(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if match:
            start, offset, length = (int(match.group(i), 16) for i in (2, 3, 4))
            if start <= address < start + length:
                data = lib.read_bytes()[offset + address - start : offset + address - start + size]
                break
    else:
        raise SystemExit("{0}: {1} lies in no section".format(lib, SYMBOL))
    if data[2:4] != b"\xda\x27" or b"CmnD" not in data[:32]:
        raise SystemExit("{0}: {1} is not an ICU common data package".format(lib, SYMBOL))
    return data


def build_library(package: Path, out: Path) -> None:
    """A shared library named ``libicudata.so.73`` whose only export, ``icudt73_dat``, is ``package``'s bytes."""
    asm = out.parent / "icudt.S"
    asm.write_text(
        '\t.section .rodata\n\t.globl {0}\n\t.type {0}, @object\n\t.balign 16\n{0}:\n\t.incbin "{1}"\n'
        "\t.size {0}, . - {0}\n"
        '\t.section .note.GNU-stack,"",@progbits\n'.format(SYMBOL, package.name)
    )
    _run("gcc", "-shared", "-nostdlib", "-Wl,-soname," + SONAME, "-Wl,-z,noexecstack", "-o", out, asm, cwd=out.parent)


def trim(lib: Path, out_dir: Path) -> tuple[Path, list[str], list[str]]:
    """Trim ``lib`` (the wheel's libicudata.so.73) into ``out_dir``: the new library, the items kept and dropped."""
    for tool in ("icupkg", "gcc", "readelf"):
        if shutil.which(tool) is None:
            raise SystemExit("{0} not found: `make sysdeps` installs it (icu-devtools, gcc, binutils)".format(tool))
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        work = Path(tmp)
        full = work / (PACKAGE + ".dat")
        full.write_bytes(extract_package(lib))
        items = _run("icupkg", "-l", full).split()
        kept = [i for i in items if keep_item(i)]
        dropped = [i for i in items if not keep_item(i)]
        (work / "drop.txt").write_text("\n".join(dropped) + "\n")
        # The output keeps the package's name (the items' prefix, icudt73l/) — icupkg takes it from the file name.
        trimmed_dir = work / "trimmed"
        trimmed_dir.mkdir()
        trimmed = trimmed_dir / (PACKAGE + ".dat")
        _run("icupkg", "-r", work / "drop.txt", full, trimmed)
        left = set(_run("icupkg", "-l", trimmed).split())
        if left != set(kept):
            raise SystemExit("icupkg left {0} items, {1} expected".format(len(left), len(kept)))
        out = out_dir / SONAME
        build_library(trimmed, trimmed_dir / SONAME)
        shutil.copyfile(trimmed_dir / SONAME, out)
    return out, kept, dropped


Entry = tuple[str, str, str]  # PyInstaller's (name in the bundle, source, type code)


def trimmed_binaries(binaries: list[Entry], out_dir: Path) -> list[Entry]:
    """PyInstaller's binaries with ICU's data library (Linux: the PySide6 wheel's) replaced by the trimmed one.
    Elsewhere (Windows' Qt uses the system's ICU) the list is returned unchanged."""
    out = []
    for dest, src, kind in binaries:
        if Path(dest).name == SONAME:
            src = str(trim(Path(src), out_dir)[0])
        out.append((dest, src, kind))
    return out


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    library, kept_items, dropped_items = trim(source, target)
    print(
        "{0}: {1} items kept, {2} dropped; {3:.1f} MB (was {4:.1f} MB)".format(
            library, len(kept_items), len(dropped_items), library.stat().st_size / 1e6, source.stat().st_size / 1e6
        )
    )
