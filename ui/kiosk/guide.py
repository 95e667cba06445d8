"""A matter's guide, large: what it is, when it applies, what to bring (a checklist), how long it takes, where
to go, when, the phone and the fee; then print it, have it read aloud, or apply here.

Everything comes from the signed catalogue (``fzmediate.kiosk.guide_text.guide_view``), catalogue wording in
the screen's script. The ticks of the checklist are the visitor's own aid and are forgotten with the visit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from fzmediate.catalogue.localize import localized
from fzmediate.i18n import _, ngettext
from fzmediate.kiosk.guide_text import GuideView, guide_view
from fzmediate.kiosk.printouts import KioskPrinter, guide_pdf
from fzmediate.kiosk.speech import ReadAloud
from ui.kiosk.env import KioskEnv
from ui.kiosk.print_bar import MakePdf, PrintBar
from ui.kiosk.speech import ReadAloudBar
from ui.kiosk.widgets import CheckRow, PageBody, TouchButton, clear_layout, label

if TYPE_CHECKING:
    from fzmediate.catalogue.model import Bundle
    from fzmediate.services.kiosk import KioskService


class GuideScreen(QWidget):
    back_requested = Signal()
    apply_requested = Signal(str)

    def __init__(
        self,
        env: KioskEnv,
        printer: KioskPrinter,
        reader: ReadAloud,
        *,
        can_apply: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.env = env
        self.bundle: Bundle | None = None
        self.matter_code = ""
        self.can_apply = can_apply
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.body = PageBody(self)
        box.addWidget(self.body, 1)
        column = self.body.column
        self.title = label("", self, "title")
        self.content = QVBoxLayout()
        self.content.setSpacing(10)
        column.addWidget(self.title)
        column.addLayout(self.content)
        column.addStretch(1)
        # The actions stay on screen while the guide scrolls.
        actions = QHBoxLayout()
        actions.setContentsMargins(24, 8, 24, 8)
        actions.setSpacing(12)
        self.back_button = TouchButton(parent=self)
        self.back_button.clicked.connect(self.back_requested)
        self.print_bar = PrintBar(env, printer, self)
        self.read_bar = ReadAloudBar(env.ops, reader, self.spoken_text, self)
        self.apply_button = TouchButton(parent=self, primary=True)
        self.apply_button.clicked.connect(lambda: self.apply_requested.emit(self.matter_code))
        self.apply_button.setVisible(can_apply)
        actions.addWidget(self.back_button, 1)
        actions.addWidget(self.read_bar, 1)
        actions.addWidget(self.print_bar, 1)
        actions.addWidget(self.apply_button, 1)
        messages = QVBoxLayout()
        messages.setContentsMargins(24, 0, 24, 0)
        messages.addWidget(self.read_bar.message)
        messages.addWidget(self.print_bar.message)
        box.addLayout(messages)
        box.addLayout(actions)
        self.checks: list[CheckRow] = []
        self._filled = ""
        self.retranslate()

    # --- what is shown -------------------------------------------------------------------------------
    def set_bundle(self, bundle: Bundle) -> None:
        self.bundle = bundle

    def show_matter(self, code: str) -> None:
        if code != self.matter_code or not self.checks:
            self.matter_code = code
            self._fill()
        self.print_bar.set_document(_guide_job(code) if code else None)
        self.body.to_top()

    def prepare(self, code: str) -> None:
        """Build (and style) the guide of ``code`` while the visitor reads the check before it, so that "yes,
        show me" only switches pages. The page stays hidden; nothing is shown until ``show_matter``."""
        if code == self.matter_code and self.checks:
            return
        self.matter_code = code
        self._fill()
        for widget in self.body.inner.findChildren(QWidget):
            widget.ensurePolished()
        self.body.column.activate()

    def view(self) -> GuideView | None:
        if self.bundle is None or not self.matter_code:
            return None
        matter = self.bundle.matter(self.matter_code)
        return guide_view(matter) if matter is not None else None

    def _section(self, heading: str, lines: tuple[str, ...] | list[str]) -> None:
        # One label per section (not per line): a guide page is built in well under the 100 ms of a touch.
        self.content.addWidget(label(heading, self, "heading"))
        self.content.addWidget(label("\n".join(lines), self))

    def _fill(self) -> None:
        # Ticks survive a redraw of the same guide (another language), never a move to another matter.
        ticked = [c.box.isChecked() for c in self.checks] if self.checks and self._filled == self.matter_code else []
        self._filled = self.matter_code
        clear_layout(self.content)
        self.checks = []
        view = self.view()
        if view is None:
            self.title.setText("")
            return
        self.title.setText(localized(view.name))
        self.content.addWidget(label(localized(view.summary), self))
        self._section(_("You can apply when"), ["• " + localized(c) for c in view.conditions])
        self.content.addWidget(label(_("What to bring (tick what you have)"), self, "heading"))
        for n, m in enumerate(view.materials):
            need = _("needed") if m.required else _("if it applies to you")
            text = _("{name} ({form}, {need})").format(name=localized(m.name), form=m.form, need=need)
            row = CheckRow(text, localized(m.notes), self)
            row.box.setChecked(ticked[n] if n < len(ticked) else False)
            self.content.addWidget(row)
            self.checks.append(row)
        self._section(_("How long it takes"), [localized(t) for t in view.time_limits])
        self._section(_("What happens"), ["{0}. {1}".format(i, localized(s)) for i, s in enumerate(view.steps, 1)])
        visits = ngettext("You need to come in person {n} time.", "You need to come in person {n} times.", view.visits)
        self._section(_("Where to go"), [localized(view.place), visits.format(n=view.visits)])
        self._section(_("Opening hours"), [localized(view.hours)])
        self._section(_("Phone for questions"), [view.phone])
        self._section(_("Fee"), [localized(view.fee)])

    def spoken_text(self) -> str:
        """The guide as it is on screen, for reading aloud."""
        parts = [self.title.text()]
        for i in range(self.content.count()):
            item = self.content.itemAt(i)
            w = item.widget() if item is not None else None
            if isinstance(w, CheckRow):
                parts.append(w.text.text())
            elif w is not None and hasattr(w, "text") and callable(w.text):
                parts.append(str(w.text()))
        return "\n".join(p for p in parts if p)

    # --- the visit contract --------------------------------------------------------------------------
    def reset_visit(self) -> None:
        self.matter_code = ""
        self._filled = ""
        self.checks = []
        clear_layout(self.content)
        self.title.setText("")
        self.print_bar.reset_visit()
        self.read_bar.reset_visit()
        self.body.to_top()

    def retranslate(self) -> None:
        self.back_button.set_texts(_("Back"))
        self.apply_button.set_texts(_("Apply here"))
        self.apply_button.setAccessibleDescription(_("Fill in the application on this kiosk"))
        self.print_bar.retranslate()
        self.read_bar.retranslate()
        self._fill()


def _guide_job(code: str) -> MakePdf:
    def make(service: KioskService) -> tuple[bytes, str]:
        return guide_pdf(service.catalogue.active(), code, service.today()), "guide " + code

    return make
