"""The UI font where the shipped Noto Sans CJK is not there (the installed bundle leaves it out) and the system
has no CJK face either: the documents' faces stand in, common and rare characters still draw, and the choice
is logged. Runs in a fresh process whose fontconfig knows no system font at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.packaging.conftest import ROOT

SCRIPT = """
import json, logging, sys
from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import QApplication
import ui.fonts as fonts

records = []
logging.getLogger("ui.fonts").addHandler(logging.Handler())
logging.getLogger("ui.fonts").handlers[-1].emit = lambda r: records.append(r.getMessage())
logging.getLogger("ui.fonts").setLevel(logging.INFO)
fonts.FONT_FILE = ("fonts", "not-shipped.ttc")  # as in the bundle
app = QApplication([])
font = fonts.install_app_font(app, "zh_CN", point_size=20)
drawn = {}
for ch in sys.argv[1]:
    layout = QTextLayout(ch, app.font())
    layout.beginLayout(); layout.createLine(); layout.endLayout()
    drawn[ch] = [(r.rawFont().familyName(), list(r.glyphIndexes())) for r in layout.glyphRuns()]
offered = [ch for ch in sys.argv[1] if fonts.ui_draws(ch, "zh_CN")]  # what the kiosk's rare picker offers
print(json.dumps({"families": font.families(), "drawn": drawn, "log": records, "offered": offered}))
"""


def test_without_any_cjk_font_the_documents_faces_draw_the_ui(tmp_path: Path) -> None:
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<fontconfig><cachedir>{0}</cachedir></fontconfig>\n'.format(tmp_path / "cache"),
        encoding="utf-8",
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FONTCONFIG_FILE": str(conf)}
    chars = "调解𠮷䶮A"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, chars], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["families"] == ["DocFangsong", "DocSong", "DocHanaMinA", "DocHanaMinB", "DocBabelStone"]
    for ch in chars:
        runs = out["drawn"][ch]
        assert runs and all(0 not in glyphs for _family, glyphs in runs), (ch, runs)  # glyph 0: a tofu box
    assert out["drawn"]["𠮷"][0][0] == "DocHanaMinA"  # the rare face behind the UI face
    assert out["offered"] == list(chars)
    assert any("UI font for zh_CN: DocFangsong" in line and "no CJK UI font" in line for line in out["log"])
