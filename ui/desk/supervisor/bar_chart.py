"""A horizontal bar chart drawn with QPainter: a label, a bar and the value written beside it, per row.

No charting add-on: four small charts do not justify one. Labels are never elided or wrapped: the label
column is as wide as the longest label and the widget asks for that room (put it in a scroll area), so
nothing is cut off at any text size. The figures are also in the widget's accessible description, and every
screen shows them in a table beside the chart: the chart is never the only carrier of a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QStyle, QWidget

from fzmediate.i18n import _


@dataclass(frozen=True)
class Bar:
    label: str
    #: The bar's length (None: not defined, no bar).
    value: float | None
    #: What is written beside the bar ("66.7 %", "—").
    text: str


class BarChart(QWidget):
    #: The bars changed (the room the chart needs may have changed).
    resized = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[Bar] = []
        self._maximum = 0.0
        self.setAccessibleName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    @property
    def bars(self) -> tuple[Bar, ...]:
        return tuple(self._bars)

    def set_bars(self, bars: Sequence[Bar], maximum: float | None = None) -> None:
        """Show ``bars``; ``maximum`` is the value of a full-length bar (default: the largest value)."""
        self._bars = list(bars)
        values = [b.value for b in self._bars if b.value is not None]
        self._maximum = maximum if maximum is not None else max(values, default=0.0)
        summary = _("; ").join(_("{label}: {value}").format(label=b.label, value=b.text) for b in self._bars)
        self.setAccessibleDescription(summary or _("No data"))
        self.updateGeometry()
        self.update()
        self.resized.emit()

    # --- geometry --------------------------------------------------------------------------------------
    def row_height(self) -> int:
        return int(self.fontMetrics().height() * 1.8)

    def _label_width(self) -> int:
        fm = self.fontMetrics()
        return max((fm.horizontalAdvance(b.label) for b in self._bars), default=0) + fm.averageCharWidth()

    def _value_width(self) -> int:
        fm = self.fontMetrics()
        return max((fm.horizontalAdvance(b.text) for b in self._bars), default=0) + fm.averageCharWidth() * 2

    def minimumSizeHint(self) -> QSize:
        min_bar = self.fontMetrics().averageCharWidth() * 8
        rows = max(len(self._bars), 1)
        return QSize(self._label_width() + min_bar + self._value_width(), rows * self.row_height() + 4)

    def sizeHint(self) -> QSize:
        hint = self.minimumSizeHint()
        return QSize(hint.width() + self.fontMetrics().averageCharWidth() * 20, hint.height())

    # --- drawing ---------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        palette = self.palette()
        fm = self.fontMetrics()
        if not self._bars:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("No data"))
            return
        label_w, value_w, row_h = self._label_width(), self._value_width(), self.row_height()
        bar_room = max(self.width() - label_w - value_w, 1)
        bar_h = fm.height() * 0.9
        for i, bar in enumerate(self._bars):
            top = 2 + i * row_h
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRectF(0, top, label_w, row_h), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                bar.label,
            )  # fmt: skip
            length = 0.0
            if bar.value is not None and self._maximum > 0:
                length = bar_room * max(0.0, min(bar.value / self._maximum, 1.0))
            if length > 0:
                painter.fillRect(
                    QRectF(label_w, top + (row_h - bar_h) / 2, length, bar_h),
                    palette.color(QPalette.ColorRole.Highlight),
                )
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRectF(label_w + length + fm.averageCharWidth() / 2, top, value_w, row_h),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                bar.text,
            )
        painter.end()


def chart_scroll(chart: BarChart, name: str, parent: QWidget | None = None) -> QScrollArea:
    """``chart`` in a scroll area that asks for the chart's whole width (it scrolls only when the window
    cannot give that much) and as much height as its rows need."""
    scroll = QScrollArea(parent)
    scroll.setWidget(chart)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setAccessibleName(name)

    def fit() -> None:
        hint = chart.minimumSizeHint()
        bar = scroll.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        scroll.setMinimumWidth(hint.width() + bar + 2 * scroll.frameWidth())
        # Up to six rows without scrolling; more rows scroll.
        scroll.setMinimumHeight(min(hint.height(), chart.row_height() * 6 + 4) + 2 * scroll.frameWidth())

    chart.resized.connect(fit)
    fit()
    return scroll
