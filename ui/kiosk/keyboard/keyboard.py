"""The kiosk's on-screen keyboard: pinyin with a candidate bar, Latin letters and digits, a phone pad, and the
rare-character picker for names. Built on our own pinyin index (``fzmediate.kiosk.pinyin``, from pypinyin's
MIT data) rather than Qt Virtual Keyboard (GPLv3); see docs/decisions.md.

The keyboard types into one target (a ``QLineEdit`` or ``QPlainTextEdit``) set by the page showing it; its keys
never take the focus, so the target keeps its cursor. What it remembers of a visit — the letters being composed,
the characters chosen (which it offers first next time) and the picker's query — is wiped by ``reset_visit``.
The index loads off the GUI thread when the screen is built (``set_index``); a key pressed before that loads
it on the spot (a few tens of milliseconds, once per process).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from fzmediate.i18n import N_, _, current_locale
from fzmediate.kiosk.pinyin import PinyinIndex, load_index
from ui.kiosk.application.look import set_kiosk_role, sized
from ui.kiosk.keyboard.candidate_bar import CandidateBar
from ui.kiosk.keyboard.rare_picker import RarePicker

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGIT_ROW = "1234567890"
PAD_ROWS = ("123", "456", "789", "+0X")
#: How many chosen characters the keyboard remembers within one visit.
RECENT = 32

Target = QLineEdit | QPlainTextEdit


class Mode(StrEnum):
    PINYIN = "pinyin"  # letters compose Chinese characters
    LATIN = "latin"  # letters and digits as typed (upper case: names in passports, X in ID numbers)
    DIGITS = "digits"  # a phone pad


#: What the switch key shows for the layout it switches to: the same in every language, as a language
#: switcher shows each language in its own script.
MODE_KEYS = {Mode.PINYIN: "中文", Mode.LATIN: "ABC", Mode.DIGITS: "123"}
#: What a screen reader says for it.
MODE_NAMES = {Mode.PINYIN: N_("Chinese (pinyin)"), Mode.LATIN: N_("letters and digits"), Mode.DIGITS: N_("phone pad")}


class OnScreenKeyboard(QWidget):
    """Keys for the current target. ``typed`` is emitted after every change made to the target."""

    typed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskKeyboard")
        self._index: PinyinIndex | None = None
        self._target: Target | None = None
        self._mode = Mode.PINYIN
        self._modes: tuple[Mode, ...] = (Mode.PINYIN, Mode.LATIN)
        self.composition = ""
        self.recent: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.candidates = CandidateBar(self)
        self.candidates.chosen.connect(self._choose)
        layout.addWidget(self.candidates)
        self.picker = RarePicker(self)
        self.picker.chosen.connect(self._choose_rare)
        self.picker.closed.connect(self.close_picker)
        self.picker.hide()
        layout.addWidget(self.picker)

        self.letters = QWidget(self)
        grid = QGridLayout(self.letters)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.keys: dict[str, QPushButton] = {}
        for col, char in enumerate(DIGIT_ROW):
            grid.addWidget(self._key(char, self.letters), 0, col * 2, 1, 2)
        for row, chars in enumerate(LETTER_ROWS, start=1):
            offset = row - 1  # stagger the rows like a real keyboard
            for col, char in enumerate(chars):
                grid.addWidget(self._key(char, self.letters), row, offset + col * 2, 1, 2)
        layout.addWidget(self.letters)

        self.pad = QWidget(self)
        pad = QGridLayout(self.pad)
        pad.setContentsMargins(0, 0, 0, 0)
        pad.setSpacing(4)
        for row, chars in enumerate(PAD_ROWS):
            for col, char in enumerate(chars):
                pad.addWidget(self._key(char, self.pad, name="pad_" + char), row, col)
        layout.addWidget(self.pad)

        bottom = QHBoxLayout()
        bottom.setSpacing(4)
        self.switch = self._command(self._next_mode)
        self.rare_button = self._command(self.open_picker)
        self.space = self._command(self._space)
        self.backspace = self._command(self._backspace)
        self.clear_button = self._command(self._clear_target)
        bottom.addWidget(self.switch)
        bottom.addWidget(self.rare_button)
        bottom.addWidget(self.space, 3)
        bottom.addWidget(self.backspace)
        bottom.addWidget(self.clear_button)
        layout.addLayout(bottom)
        self.retranslate()
        self._show_mode()

    # --- building ------------------------------------------------------------------------------------
    def _key(self, char: str, parent: QWidget, *, name: str | None = None) -> QPushButton:
        button = QPushButton(char.upper(), parent)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAutoRepeat(False)
        set_kiosk_role(button, "key")
        button.clicked.connect(lambda _checked=False, c=char: self.press(c))
        sized(button)
        self.keys[name or char] = button
        return button

    def _command(self, slot: object) -> QPushButton:
        button = QPushButton(self)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        sized(button, width=110)
        return button

    def retranslate(self) -> None:
        for name, button in self.keys.items():
            char = name.removeprefix("pad_")
            button.setAccessibleName(_("Key {key}").format(key=char.upper()))
        self.space.setText(_("Space"))
        self.space.setAccessibleName(_("Space (chooses the first candidate while composing)"))
        self.backspace.setText("⌫")
        self.backspace.setAccessibleName(_("Delete the last character"))
        self.clear_button.setText(_("Clear"))
        self.clear_button.setAccessibleName(_("Clear the whole field"))
        self.rare_button.setText(_("Rare characters"))
        self.rare_button.setAccessibleName(_("Rare characters for names"))
        self._label_switch()
        self.candidates.retranslate()
        self.picker.retranslate()

    # --- the target and the mode ---------------------------------------------------------------------
    def set_index(self, index: PinyinIndex) -> None:
        self._index = index

    def index(self) -> PinyinIndex:
        if self._index is None:
            self._index = load_index()
        return self._index

    def set_target(self, target: Target | None, mode: Mode, *, modes: tuple[Mode, ...] | None = None) -> None:
        """Type into ``target`` in ``mode``; ``modes`` are those the switch key cycles through."""
        self._commit_nothing()
        self.close_picker()
        self._target = target
        self._modes = modes or (mode,)
        self._mode = mode
        self._show_mode()

    def mode(self) -> Mode:
        return self._mode

    def _next_mode(self) -> None:
        self._commit_nothing()
        i = self._modes.index(self._mode) if self._mode in self._modes else -1
        self._mode = self._modes[(i + 1) % len(self._modes)]
        self._show_mode()

    def _show_mode(self) -> None:
        pad = self._mode is Mode.DIGITS
        self.letters.setVisible(not pad)
        self.pad.setVisible(pad)
        self.candidates.setVisible(self._mode is Mode.PINYIN and not self.picker.isVisible())
        self.rare_button.setVisible(self._mode is Mode.PINYIN)
        self.switch.setVisible(len(self._modes) > 1)
        self.space.setVisible(not pad)
        self._label_switch()

    def _label_switch(self) -> None:
        if len(self._modes) > 1:
            here = self._modes.index(self._mode) if self._mode in self._modes else -1
            following = self._modes[(here + 1) % len(self._modes)]
            self.switch.setText(MODE_KEYS[following])
            self.switch.setAccessibleName(_("Switch the keyboard to {layout}").format(layout=_(MODE_NAMES[following])))
        else:
            self.switch.setAccessibleName(_("Switch the keyboard layout"))

    # --- typing ---------------------------------------------------------------------------------------
    def press(self, char: str) -> None:
        """One key: a letter composes in pinyin mode (or searches the open picker), anything else is typed."""
        if self.picker.isVisible() and char.isalpha() and char.islower():
            query = self.picker.query_text() + char
            self.picker.set_characters(query, self.index().rare(query))
            return
        if self._mode is Mode.PINYIN and char.isalpha() and char.islower():
            self.composition += char
            self._refresh_candidates()
            return
        self._commit_first()
        self._insert(char.upper() if self._mode is not Mode.PINYIN else char)

    def _refresh_candidates(self) -> None:
        if not self.composition:
            self.candidates.clear()
            return
        found = self.index().compose(self.composition, traditional=current_locale() == "zh_TW", recent=self.recent)
        self.candidates.show_candidates(self.composition, found.candidates)

    def _choose(self, char: str) -> None:
        found = self.index().compose(self.composition)
        taken = len(found.letters) or len(self.composition)
        self.composition = self.composition[taken:]
        self._remember(char)
        self._insert(char)
        self._refresh_candidates()

    def _choose_rare(self, char: str) -> None:
        self._remember(char)
        self.close_picker()
        self._insert(char)

    def _remember(self, char: str) -> None:
        self.recent = [*[c for c in self.recent if c != char][-(RECENT - 1) :], char]

    def _commit_first(self) -> None:
        """Typing something else while composing takes the first candidate (as desktop pinyin input does)."""
        while self.composition:
            visible = self.candidates.visible_candidates()
            if not visible:
                self.composition = ""
                break
            self._choose(visible[0])

    def _commit_nothing(self) -> None:
        self.composition = ""
        self.candidates.clear()

    def _space(self) -> None:
        if self.composition:
            visible = self.candidates.visible_candidates()
            if visible:
                self._choose(visible[0])
            return
        self._insert(" ")

    def _backspace(self) -> None:
        if self.picker.isVisible():
            query = self.picker.query_text()[:-1]
            self._show_picker(query)
            return
        if self.composition:
            self.composition = self.composition[:-1]
            self._refresh_candidates()
            return
        target = self._target
        if isinstance(target, QLineEdit):
            target.backspace()
        elif isinstance(target, QPlainTextEdit):
            target.textCursor().deletePreviousChar()
        self.typed.emit()

    def _clear_target(self) -> None:
        self._commit_nothing()
        if self._target is not None:
            self._target.clear()
        self.typed.emit()

    def _insert(self, text: str) -> None:
        target = self._target
        if isinstance(target, QLineEdit):
            if target.maxLength() and len(target.text()) >= target.maxLength():
                return
            target.insert(text)
        elif isinstance(target, QPlainTextEdit):
            target.insertPlainText(text)
        self.typed.emit()

    # --- the rare-character picker --------------------------------------------------------------------
    def open_picker(self) -> None:
        self._commit_first()
        self.picker.show()
        self.candidates.hide()
        self._show_picker("")

    def _show_picker(self, query: str) -> None:
        characters = self.index().rare(query) if query else self.index().name_characters()
        self.picker.set_characters(query, characters)

    def close_picker(self) -> None:
        self.picker.clear()
        self.picker.hide()
        self.candidates.setVisible(self._mode is Mode.PINYIN)

    # --- the visit --------------------------------------------------------------------------------------
    def reset_visit(self) -> None:
        """Forget the visit: composition, chosen characters, the picker's query, the target."""
        self._commit_nothing()
        self.recent.clear()
        self.close_picker()
        self._target = None
