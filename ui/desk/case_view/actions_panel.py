"""The acts of the case's procedure, one button each in the procedure's order.

Only what the engine allows now is enabled. A disabled act keeps its reasons (from ``act_decisions``, the
same the service would refuse with) in its tooltip and accessible description, and the "why?" line shows them
when the pointer or focus is on it; "Show reasons" lists every unavailable act with its reasons as text, for
keyboard and screen-reader users (a disabled button takes no focus).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from fzmediate.desk.case_view import ActLine
from fzmediate.i18n import _
from ui.style import set_role


class ActionsPanel(QWidget):
    """Emits ``act_requested(action)`` when an enabled act's button is pressed."""

    act_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        heading = QLabel(_("Acts"), self)
        set_role(heading, "subtitle")
        layout.addWidget(heading)
        self.why = QLabel(self)
        self.why.setWordWrap(True)
        set_role(self.why, "hint")
        self.show_reasons = QCheckBox(_("Show why acts are unavailable"), self)
        self.show_reasons.setAccessibleName(_("Show why acts are unavailable"))
        self.show_reasons.toggled.connect(self._toggle_reasons)
        layout.addWidget(self.show_reasons)
        # Many acts: they scroll, the "why?" line stays in view.
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        # A stable width: wrapped reasons are measured once, not again when a scroll bar appears.
        self.scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid_box = QWidget(self.scroller)
        self.grid = QVBoxLayout(self.grid_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.scroller.setWidget(self.grid_box)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.why)
        self.buttons: dict[str, QPushButton] = {}
        self.reason_labels: dict[str, QLabel] = {}
        self._texts: dict[QObject, str] = {}

    def set_acts(self, acts: tuple[ActLine, ...]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()
        self.reason_labels.clear()
        self._texts.clear()
        # The acts possible now first (in the procedure's order): on a case late in its procedure they would
        # otherwise sit below a long run of greyed-out early acts.
        for act in sorted(acts, key=lambda a: not a.allowed):
            button = QPushButton(act.label, self.grid_box)
            button.setObjectName("act_" + act.action)
            button.setAccessibleName(act.label)
            button.setEnabled(act.allowed)
            self.grid.addWidget(button)
            if act.allowed:
                button.clicked.connect(lambda _c=False, a=act.action: self.act_requested.emit(a))
                button.setToolTip("")
                button.setAccessibleDescription("")
            else:
                why = "\n".join(act.reasons)
                button.setToolTip(why)
                button.setAccessibleDescription(why)
                label = QLabel(_("{act}: {reasons}").format(act=act.label, reasons=_("; ").join(act.reasons)))
                label.setParent(self.grid_box)
                label.setWordWrap(True)
                set_role(label, "hint")
                label.setVisible(self.show_reasons.isChecked())
                self.grid.addWidget(label)
                self.reason_labels[act.action] = label
                self._texts[button] = why
            button.installEventFilter(self)
            self.buttons[act.action] = button
        self.grid.addStretch(1)

    def _toggle_reasons(self, on: bool) -> None:
        for label in self.reason_labels.values():
            label.setVisible(on)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Enter, QEvent.Type.FocusIn):
            self.why.setText(self._texts.get(watched, ""))
        elif event.type() == QEvent.Type.Leave:
            self.why.setText("")
        return super().eventFilter(watched, event)
