"""The PyInstaller bundle (``make dist``) as a street office gets it: the frozen executable, run from outside
the checkout with nothing of it on the path, starts the desk offscreen, sets up an encrypted store, renders an
agreement with rare characters in its parties' names, migrates a store of the oldest schema and refuses one
from a newer version. What it carries is checked too: what it needs, and none of what it must not."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from fzmediate.documents.fonts import FACES
from fzmediate.i18n import set_locale
from fzmediate.services.workspace import Workspace
from fzmediate.store.migrate import head_revision
from installer.bundle_rules import EXCLUDED_MODULES, KEPT_PLUGINS
from installer.icu_trim import SYMBOL
from tests.documents import case_lifecycles as life
from tests.packaging.conftest import ROOT, clean_env, needs, run
from tests.support import ADMIN_PW, FAST_KDF

FIXTURE = ROOT / "tests" / "fixtures" / "schema_0001"


def fz(bundle: Path, *args: str, cwd: Path, password: str = "", new_password: str = "", expect: int = 0) -> str:
    env = clean_env(FZMEDIATE_PASSWORD=password, FZMEDIATE_NEW_PASSWORD=new_password)
    done = run([str(bundle / "fzmediate"), "--lang", "en", *args], cwd=cwd, env=env, expect=expect)
    return done.stdout if expect == 0 else done.stdout + done.stderr


def test_the_bundle_carries_what_the_app_reads(bundle: Path) -> None:
    inside = bundle / "_internal"
    for lang in ("zh_CN", "zh_TW", "en"):
        assert (inside / "resources" / "locale" / lang / "LC_MESSAGES" / "fzmediate.mo").is_file()
    assert (inside / "resources" / "catalogue" / "pingshan.fzcat.json").is_file()
    assert list((inside / "resources" / "holidays").glob("*.json"))
    # The documents' faces (also the UI's rare-character fallback); the UI's own face is the platform's.
    assert {p.name for p in (inside / "resources" / "fonts").glob("doc*.ttf")} == {f.file for f in FACES}
    assert not (inside / "resources" / "fonts" / "NotoSansCJK-Regular.ttc").exists()
    assert (inside / "resources" / "icons" / "fzmediate.svg").is_file()
    versions = inside / "fzmediate" / "store" / "migrations" / "versions"
    shipped = {p.name for p in (ROOT / "fzmediate" / "store" / "migrations" / "versions").glob("*.py")}
    assert shipped and {p.name for p in versions.glob("*.py")} == shipped
    qt = inside / "PySide6" / "Qt"
    assert {p.name for p in (qt / "translations").iterdir()} == {"qtbase_zh_CN.qm", "qtbase_zh_TW.qm"}
    for folder in ("platforms", "printsupport", "imageformats"):
        plugins = {p.name for p in (qt / "plugins" / folder).iterdir()}
        assert plugins and all(p.split(".")[0].removeprefix("lib") in KEPT_PLUGINS[folder] for p in plugins)
    assert {"libqxcb.so", "libqoffscreen.so"} <= {p.name for p in (qt / "plugins" / "platforms").iterdir()}
    assert (qt / "lib" / "libQt6Pdf.so.6").is_file() and (inside / "PySide6" / "QtPdfWidgets.abi3.so").is_file()


def test_the_bundle_leaves_out_what_the_app_does_not_use(bundle: Path) -> None:
    names = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*")}
    for unwanted in ("Qml", "Quick", "WebEngine", "VirtualKeyboard", "Wayland", "libqgtk3"):
        assert not [n for n in names if unwanted in n], unwanted
    tops = {n.split("/")[1] for n in names if n.startswith("_internal/") and n.count("/") >= 1}
    for module in EXCLUDED_MODULES:
        if "." not in module:
            assert module not in tops, module
    assert "fzmediate/server" not in "\n".join(names)
    assert not [n for n in names if n.endswith((".po", ".pot")) or "/catalogue/source" in n]


def test_the_desk_starts_offscreen_to_its_first_screen(bundle: Path, tmp_path: Path) -> None:
    done = run(
        [str(bundle / "fzmediate"), "desk", "--data-dir", str(tmp_path / "data"), "--exit-when-ready"],
        cwd=tmp_path,
        env=clean_env(),
    )
    assert done.stdout.startswith("ready ")
    assert "Traceback" not in done.stderr


def test_the_desk_logs_its_ui_font_and_has_one(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(
        [str(bundle / "fzmediate"), "desk", "--data-dir", str(data), "--exit-when-ready"], cwd=tmp_path, env=clean_env()
    )
    said = [line for line in (data / "logs" / "fzmediate.log").read_text("utf-8").splitlines() if "UI font for" in line]
    assert said and "none" not in said[0]  # the platform's CJK face, or the documents' faces where there is none


#: QtCore's ICU calls with the bundle's trimmed data: pinyin order (李 li, 王 wang, 张 zhang), stroke order for
#: Traditional Chinese (王 4 strokes, 李 7, 張 11), the Chinese legacy codecs, time-zone names in Chinese.
ICU_PROBE = """
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
pinyin = QCollator(QLocale("zh_CN"))
stroke = QCollator(QLocale("zh_TW"))
print(" ".join(sorted("张李王", key=pinyin.sortKey)), " ".join(sorted("張李王", key=stroke.sortKey)))
print(all(QStringDecoder(n).isValid() for n in ("GB18030", "GBK", "Big5", "Big5-HKSCS")))
print(QTimeZone(b"Asia/Shanghai").displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName,
      QLocale("zh_CN")))
"""


def test_icu_is_trimmed_and_still_sorts_chinese(bundle: Path, tmp_path: Path) -> None:
    lib = bundle / "_internal" / "PySide6" / "Qt" / "lib"
    if sys.platform == "win32":
        pytest.skip("Qt uses the system's ICU on Windows: there is no ICU data library to trim")
    data = lib / "libicudata.so.73"
    assert data.exists(), "the trimmed ICU data library is not in the bundle"
    assert data.stat().st_size < 8_000_000  # the wheel's: 32 MB
    assert SYMBOL in run(["readelf", "-W", "--dyn-syms", str(data)], cwd=tmp_path).stdout
    # This checkout's PySide6 bindings on the bundle's Qt and ICU libraries (found first on LD_LIBRARY_PATH).
    done = run([sys.executable, "-c", ICU_PROBE], cwd=tmp_path, env={**clean_env(), "LD_LIBRARY_PATH": str(lib)})
    assert done.stdout.splitlines() == ["李 王 张 王 李 張", "True", "中国标准时间"]


def test_the_kiosk_mode_is_in_the_bundle(bundle: Path, tmp_path: Path) -> None:
    done = run([str(bundle / "fzmediate"), "kiosk", "--help"], cwd=tmp_path, env=clean_env())
    assert "--data-dir" in done.stdout and "--printer" in done.stdout  # the kiosk's own options, from ui.kiosk


@needs("pdftotext")
def test_a_new_store_and_an_agreement_with_rare_characters(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert "set up a new encrypted store" in fz(bundle, "--help", cwd=tmp_path)
    fz(bundle, "--data-dir", str(data), "init", "--admin", "admin", "--unit", life.OFFICE_UNIT, cwd=tmp_path,
       new_password=ADMIN_PW)  # fmt: skip
    # The case is brought to an agreement in this process (the CLI has no verb for every act); the bundle
    # then opens the same store and renders the agreement.
    set_locale("zh_CN")
    ws = Workspace(data, kdf=FAST_KDF)
    life.staff(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        number = s.cases.get(life.agreed_case(s)).number
    pdf = tmp_path / "agreement.pdf"
    fz(bundle, "--data-dir", str(data), "--user", life.MEDIATOR[0], "doc", "render", "agreement", "--case", number,
       "--out", str(pdf), cwd=tmp_path, password=life.MEDIATOR[1])  # fmt: skip
    words = run(["pdftotext", str(pdf), "-"], cwd=tmp_path).stdout
    for name in (life.APPLICANT, life.RESPONDENT, number):
        assert name in words
    fonts = run(["pdffonts", str(pdf)], cwd=tmp_path).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # every font embedded


def test_an_upgrade_migrates_the_oldest_store_and_keeps_keys_and_settings(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    settings = data / "settings.json"
    settings.write_text(json.dumps({"locale": "zh_TW", "text_scale": 150}), encoding="utf-8")
    before = settings.read_bytes()
    fz(bundle, "--data-dir", str(data), "--user", "admin", "check", cwd=tmp_path, password="fixture-pass-1")
    [backup] = (data / "backups").glob("fzmediate.db.bak-0001-*")
    assert backup.read_bytes() == (FIXTURE / "fzmediate.db").read_bytes()  # the old file, copied first
    listed = fz(bundle, "--data-dir", str(data), "--user", "admin", "user", "list", "--json", cwd=tmp_path,
                password="fixture-pass-1")  # fmt: skip
    assert {u["login"] for u in json.loads(listed)} == {"admin", "med1", "sup1"}
    assert settings.read_bytes() == before
    # Every user's key slot still opens the migrated store, now at this version's schema.
    with Workspace(data, kdf=FAST_KDF).unlock("med1", "fixture-pass-2") as s, s.read() as r:
        assert r.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()


def test_a_store_from_a_newer_version_is_refused_untouched(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    fz(bundle, "--data-dir", str(data), "init", "--admin", "admin", cwd=tmp_path, new_password=ADMIN_PW)
    with Workspace(data, kdf=FAST_KDF).unlock("admin", ADMIN_PW) as s, s.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    files = {p: p.read_bytes() for p in data.glob("fzmediate.db*")}
    said = fz(bundle, "--data-dir", str(data), "--user", "admin", "check", cwd=tmp_path, password=ADMIN_PW,
              expect=1)  # fmt: skip
    assert "written by a newer version of fzmediate" in said and "nothing was changed" in said
    assert "Traceback" not in said
    assert {p: p.read_bytes() for p in data.glob("fzmediate.db*")} == files
    assert not (data / "backups").exists() or not list((data / "backups").iterdir())


@pytest.mark.parametrize("lang", ["zh_CN", "zh_TW"])
def test_the_bundle_speaks_chinese(bundle: Path, tmp_path: Path, lang: str) -> None:
    done = run([str(bundle / "fzmediate"), "--lang", lang, "--help"], cwd=tmp_path, env=clean_env())
    assert ("新建本地加密数据库" if lang == "zh_CN" else "建立本機加密資料庫") in done.stdout
