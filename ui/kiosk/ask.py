"""The escape valve: "none of these / not sure" → who can help, where, when and the phone; printable.

The contacts come from the catalogue (``SelfHelpTree.ask``: the district's own, or the street offices with
their dispute-resolution window). The printout names nobody (``fzmediate.kiosk.printouts.ask_pdf``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from fzmediate.catalogue.localize import localized
from fzmediate.i18n import _
from fzmediate.kiosk.printouts import KioskPrinter, ask_pdf
from fzmediate.kiosk.self_help import build_tree
from fzmediate.kiosk.speech import ReadAloud
from ui.kiosk.env import KioskEnv
from ui.kiosk.print_bar import PrintBar
from ui.kiosk.speech import ReadAloudBar
from ui.kiosk.widgets import PageBody, TouchButton, clear_layout, label

if TYPE_CHECKING:
    from fzmediate.kiosk.self_help import SelfHelpTree
    from fzmediate.services.kiosk import KioskService


def _ask_job(service: KioskService) -> tuple[bytes, str]:
    bundle = service.catalogue.active()
    return ask_pdf(bundle, build_tree(bundle).ask, service.today()), "who to ask"


class AskScreen(QWidget):
    back_requested = Signal()

    def __init__(self, env: KioskEnv, printer: KioskPrinter, reader: ReadAloud, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree: SelfHelpTree | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.body = PageBody(self)
        box.addWidget(self.body, 1)
        column = self.body.column
        self.title = label("", self, "title")
        self.intro = label("", self)
        self.content = QVBoxLayout()
        self.content.setSpacing(8)
        column.addWidget(self.title)
        column.addWidget(self.intro)
        column.addLayout(self.content)
        column.addStretch(1)
        actions = QHBoxLayout()
        actions.setContentsMargins(24, 8, 24, 8)
        actions.setSpacing(12)
        self.back_button = TouchButton(parent=self)
        self.back_button.clicked.connect(self.back_requested)
        self.print_bar = PrintBar(env, printer, self)
        self.print_bar.set_document(_ask_job)
        self.read_bar = ReadAloudBar(env.ops, reader, self.spoken_text, self)
        actions.addWidget(self.back_button, 1)
        actions.addWidget(self.read_bar, 1)
        actions.addWidget(self.print_bar, 1)
        messages = QVBoxLayout()
        messages.setContentsMargins(24, 0, 24, 0)
        messages.addWidget(self.read_bar.message)
        messages.addWidget(self.print_bar.message)
        box.addLayout(messages)
        box.addLayout(actions)
        self.retranslate()

    def set_tree(self, tree: SelfHelpTree) -> None:
        self.tree = tree
        self._fill()

    def _fill(self) -> None:
        clear_layout(self.content)
        if self.tree is None:
            return
        for contact in self.tree.ask:
            self.content.addWidget(label(_("Who"), self, "heading"))
            for who in contact.who:
                self.content.addWidget(label("• " + localized(who), self))
            for heading, text in (
                (_("Where"), contact.place),
                (_("When"), contact.hours),
                (_("Phone"), contact.phone),
            ):
                self.content.addWidget(label(heading, self, "heading"))
                self.content.addWidget(label(localized(text), self))
        self.content.addWidget(label(_("In an emergency, or if you are in danger, call 110."), self, "message"))

    def spoken_text(self) -> str:
        parts = [self.title.text(), self.intro.text()]
        for i in range(self.content.count()):
            item = self.content.itemAt(i)
            w = item.widget() if item is not None else None
            if w is not None and hasattr(w, "text") and callable(w.text):
                parts.append(str(w.text()))
        return "\n".join(p for p in parts if p)

    def reset_visit(self) -> None:
        self.print_bar.reset_visit()
        self.print_bar.set_document(_ask_job)
        self.read_bar.reset_visit()
        self.body.to_top()

    def retranslate(self) -> None:
        self.title.setText(_("Not sure? Ask us — it is free"))
        self.intro.setText(
            _(
                "The public legal service of your street office tells you which office can help and what to do "
                "next. Take this page with you."
            )
        )
        self.back_button.set_texts(_("Back"))
        self.print_bar.retranslate()
        self.read_bar.retranslate()
        self._fill()
