"""PySide6 6.12.0 on Python 3.11 under-counts references to None (see ui/pyside_compat.py): shown in a child
process, with and without the start-up work-around."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.pyside_compat import affected

ROOT = Path(__file__).resolve().parents[2]

#: Qt hands back an empty value through a proxy model 200,000 times: each call drops a reference to None.
PROBE = """
import sys
{pin}
from PySide6.QtCore import QAbstractTableModel, QIdentityProxyModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication
app = QApplication([])
class M(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()): return 1
    def columnCount(self, parent=QModelIndex()): return 1
    def data(self, index, role=Qt.ItemDataRole.DisplayRole): return None
m = M(); p = QIdentityProxyModel(); p.setSourceModel(m)
i = p.index(0, 0)
for _ in range(200_000): p.data(i, Qt.ItemDataRole.DecorationRole)
print("survived")
"""


def _probe(pin: bool) -> subprocess.CompletedProcess[str]:
    code = PROBE.format(pin="from ui.pyside_compat import pin_singletons; pin_singletons()" if pin else "")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.skipif(
    not affected(), reason="this Python and PySide6 do not have the fault (Python ≥ 3.12 or a fixed PySide6)"
)
def test_the_fault_aborts_without_the_work_around_and_not_with_it() -> None:
    bare = _probe(pin=False)
    assert bare.returncode != 0 and "deallocating None" in bare.stderr, (
        "PySide6 no longer under-counts None: remove ui/pyside_compat.py"
    )
    pinned = _probe(pin=True)
    assert pinned.returncode == 0 and "survived" in pinned.stdout, pinned.stderr[-400:]


def test_only_cpython_before_3_12_with_pyside6_6_12_is_affected() -> None:
    assert not affected("6.11.3")
    assert affected("6.12.0") == (sys.version_info < (3, 12))
