"""One area's questions: tap the answer closest to what happened, then check that the matter fits.

A "choose" question lists answers (each leads to a later question or to a matter's check); a "check" shows
what the matter is about and when it applies (its conditions): "Yes, show me the guide" or "not sure". Every
step has "back" and the escape valve. The path taken is held only while the visitor is here; ``reset_visit``
forgets it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from fzmediate.catalogue.localize import localized
from fzmediate.i18n import _
from fzmediate.kiosk.self_help import Area, Question, SelfHelpTree, check_id
from ui.kiosk.widgets import PageBody, TouchButton, clear_layout, label


class QuestionScreen(QWidget):
    matter_chosen = Signal(str)
    #: A matter's check is on screen: its guide may be prepared while the visitor reads.
    check_shown = Signal(str)
    unsure = Signal()
    #: The first question was left with "back": the shell shows the home screen.
    left = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.area: Area | None = None
        self.path: list[str] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.body = PageBody(self)
        box.addWidget(self.body, 1)
        column = self.body.column
        self.area_label = label("", self, "hint")
        self.title = label("", self, "title")
        self.content = QVBoxLayout()
        self.content.setSpacing(12)
        self.unsure_button = TouchButton(parent=self)
        self.unsure_button.clicked.connect(self.unsure)
        self.back_button = TouchButton(parent=self)
        self.back_button.clicked.connect(self.back)
        row = QHBoxLayout()
        row.addWidget(self.back_button, 1)
        row.addWidget(self.unsure_button, 2)
        for part in (self.area_label, self.title):
            column.addWidget(part)
        column.addLayout(self.content)
        column.addLayout(row)
        column.addStretch(1)
        #: The buttons of the current step (answers, or "yes" of a check).
        self.choice_buttons: list[TouchButton] = []
        self.yes_button: TouchButton | None = None
        self.retranslate()

    # --- navigation ---------------------------------------------------------------------------------
    def set_tree(self, tree: SelfHelpTree) -> None:
        """The tree again (another language): the visitor stays on the same step."""
        if self.area is not None:
            self.area = tree.area(self.area.key)

    def start(self, area: Area) -> None:
        self.area = area
        self.path = [area.first]
        self._show()

    def show_check(self, area: Area, matter_code: str) -> None:
        """Open an area at the check of one matter (from the guide's "back")."""
        self.area = area
        self.path = [area.first] if area.first == check_id(matter_code) else [area.first, check_id(matter_code)]
        self._show()

    def current(self) -> Question | None:
        if self.area is None or not self.path:
            return None
        return self.area.question(self.path[-1])

    def go(self, question_id: str) -> None:
        self.path.append(question_id)
        self._show()

    def back(self) -> None:
        if len(self.path) > 1:
            self.path.pop()
            self._show()
        else:
            self.left.emit()

    # --- drawing ------------------------------------------------------------------------------------
    def _show(self) -> None:
        clear_layout(self.content)
        self.choice_buttons = []
        self.yes_button = None
        question = self.current()
        self.area_label.setText(localized(self.area.label) if self.area is not None else "")
        if question is None:
            self.title.setText("")
            return
        if question.kind == "check":
            self._show_check(question)
        else:
            self._show_choose(question)
        self.body.to_top()

    def _show_choose(self, question: Question) -> None:
        self.title.setText(localized(question.text) if question.text else _("Which of these is closest?"))
        for choice in question.choices:
            button = TouchButton(localized(choice.label), localized(choice.hint), self)
            target = check_id(choice.matter) if choice.matter is not None else (choice.next or "")
            button.clicked.connect(lambda _c=False, t=target: self.go(t))
            self.content.addWidget(button)
            self.choice_buttons.append(button)

    def _show_check(self, question: Question) -> None:
        self.title.setText(_("Does this fit your situation?"))
        self.content.addWidget(label(localized(question.summary), self))
        self.content.addWidget(label(_("You can get help here when:"), self, "heading"))
        for line in question.lines:
            self.content.addWidget(label("• " + localized(line), self))
        yes = TouchButton(_("Yes, show me what to do"), _("The guide: what to bring, where to go"), self, primary=True)
        code = question.matter or ""
        yes.clicked.connect(lambda _c=False: self.matter_chosen.emit(code))
        self.content.addWidget(yes)
        self.yes_button = yes
        self.check_shown.emit(code)

    # --- the visit contract -------------------------------------------------------------------------
    def reset_visit(self) -> None:
        self.area = None
        self.path = []
        self._show()

    def retranslate(self) -> None:
        self.back_button.set_texts(_("Back"))
        self.unsure_button.set_texts(_("None of these / I am not sure"), _("We show you who can help"))
        self._show()
