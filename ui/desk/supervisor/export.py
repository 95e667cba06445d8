"""Exporting the statistics: where to save (a file dialog) and the write itself, on the DB worker.

The file is produced and written by ``fzmediate.desk.supervisor.export_statistics`` (atomically: a temporary
file replaced into place), so the GUI thread never waits on the store or the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from fzmediate.desk import supervisor as sv
from fzmediate.i18n import _
from fzmediate.services.stats_dto import StatsQuery
from ui.desk.page import DeskEnv
from ui.ops import OpHandle

FORMATS = ("csv", "pdf")


def default_name(query: StatsQuery, fmt: str) -> str:
    """A file name naming the dimension and the period (no personal data), e.g. ``statistics-matter-all.csv``."""
    start = query.date_from.isoformat() if query.date_from else ""
    end = query.date_to.isoformat() if query.date_to else ""
    period = "{0}_{1}".format(start, end) if start or end else "all"
    return "statistics-{0}-{1}.{2}".format(query.dimension.value, period, fmt)


def ask_path(parent: QWidget, query: StatsQuery, fmt: str) -> str | None:
    """The path the user chose, or None when cancelled."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    suggested = str(Path(folder) / default_name(query, fmt)) if folder else default_name(query, fmt)
    pattern = _("CSV files (*.csv)") if fmt == "csv" else _("PDF files (*.pdf)")
    path, _chosen = QFileDialog.getSaveFileName(parent, _("Export statistics"), suggested, pattern)
    if not path:
        return None
    return path if path.lower().endswith("." + fmt) else path + "." + fmt


def start_export(
    env: DeskEnv,
    parent: QWidget,
    query: StatsQuery,
    fmt: str,
    path: str,
    on_success: Callable[[sv.Exported], None],
    on_failure: Callable[[BaseException], None],
) -> OpHandle[sv.Exported]:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return env.context.call(
        sv.export_statistics, query, fmt, path, on_success=on_success, on_failure=on_failure, parent=parent
    )
