"""The bundle's exclusion rules (installer/bundle_rules.py) against the code: nothing the desk or the kiosk
imports may be left out of the bundle — a module excluded there would be missing only in the frozen app, and
only when that code path runs. Runs in `make test` (no bundle needed), so a new import is caught at once."""

from __future__ import annotations

import ast
from pathlib import Path

from installer.bundle_rules import EXCLUDED_MODULES, keep_binary, keep_data, prune
from installer.icu_trim import keep_item
from tests.packaging.conftest import ROOT

#: The district server's own code may import the server's packages: it is not in the bundle at all.
SERVER = ROOT / "fzmediate" / "server"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {"{0}.{1}".format(node.module, alias.name) for alias in node.names}
    return found


def _excluded(module: str) -> bool:
    return any(module == ex or module.startswith(ex + ".") for ex in EXCLUDED_MODULES)


def test_no_module_of_the_desk_or_kiosk_imports_what_the_bundle_leaves_out() -> None:
    sources = [ROOT / "main.py", *sorted((ROOT / "fzmediate").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    offending = {
        "{0}: {1}".format(path.relative_to(ROOT).as_posix(), module)
        for path in sources
        if not path.is_relative_to(SERVER)
        for module in _imports(path)
        if _excluded(module)
    }
    # fzmediate.alembic_support names the server's package as a string only; an import of it would show here.
    assert offending == set()


def test_qt_plugins_libraries_and_translations_are_pruned_to_what_is_used() -> None:
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/v/site-packages/x", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", "/v/site-packages/x", "BINARY"),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", "/v/site-packages/x", "BINARY"),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "/v/site-packages/x", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/v/site-packages/x", "BINARY"),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", "/v/site-packages/x", "BINARY"),
        ("PySide6/Qt/lib/libQt6TextToSpeech.so.6", "/v/site-packages/x", "BINARY"),
        ("libgtk-3.so.0", "/lib/x86_64-linux-gnu/libgtk-3.so.0", "BINARY"),
        ("libssl.so.3", "/lib/x86_64-linux-gnu/libssl.so.3", "BINARY"),
        ("libpython3.11.so.1.0", "/opt/python/lib/libpython3.11.so.1.0", "BINARY"),
    ]  # fmt: skip
    datas = [
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6", "SYMLINK"),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", "/v/x", "DATA"),
        ("PySide6/Qt/translations/qtbase_de.qm", "/v/x", "DATA"),
        ("PySide6/Qt/translations/qtdeclarative_zh_CN.qm", "/v/x", "DATA"),
        ("babel/locale-data/zh_Hant_TW.dat", "/v/x", "DATA"),
        ("babel/locale-data/fr.dat", "/v/x", "DATA"),
        ("resources/fonts/NotoSansCJK-Regular.ttc", "/r/x", "DATA"),
        ("resources/fonts/docfallback-hanamina.ttf", "/r/x", "DATA"),
    ]
    kept_binaries, kept_datas = prune(binaries, datas)
    assert [b[0].rsplit("/", 1)[-1] for b in kept_binaries] == [
        "libqxcb.so", "libcupsprintersupport.so", "libQt6Pdf.so.6", "libQt6TextToSpeech.so.6", "libssl.so.3",
        "libpython3.11.so.1.0",
    ]  # fmt: skip
    assert [d[0] for d in kept_datas] == [
        "libQt6Pdf.so.6",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "babel/locale-data/zh_Hant_TW.dat",
        "resources/fonts/docfallback-hanamina.ttf",  # the UI font is the platform's: only the documents' ship
    ]
    assert keep_binary("PySide6/QtWidgets.abi3.so") and not keep_binary("PySide6/QtQml.abi3.so")
    assert not keep_data("PySide6/Qt/qml/QtQuick/qmldir")


def test_icu_keeps_what_qt_reads_for_chinese_and_drops_the_rest() -> None:
    kept = [
        "coll/zh.res", "coll/zh_Hant_TW.res", "coll/root.res", "coll/ucadata.icu", "coll/res_index.res",
        "zone/zh_Hans.res", "zone/pool.res", "zone/en_GB.res", "zh_Hant.res", "root.res", "pool.res",
        "zoneinfo64.res", "metaZones.res", "likelySubtags.res", "cnvalias.icu", "gb18030.cnv",
        "windows-936-2000.cnv", "windows-950-2000.cnv", "ibm-1375_P100-2008.cnv", "ibm-5348_P100-1997.cnv",
        "uts46.nrm", "nfkc.nrm",
    ]  # fmt: skip
    dropped = [
        "coll/de.res", "coll/de_.res", "coll/sr_Latn_BA.res", "zone/fr.res", "ja.res", "brkitr/cjdict.dict",
        "brkitr/line.brk", "translit/root.res", "rbnf/zh.res", "curr/zh.res", "lang/en.res", "unit/root.res",
        "ibm-37_P100-1995.cnv", "euc-jp-2007.cnv", "unames.icu", "rfc3491.spp", "confusables.cfu",
    ]  # fmt: skip
    assert [i for i in kept if not keep_item(i)] == []
    assert [i for i in dropped if keep_item(i)] == []
