"""Keyboard shortcuts for the acts done most often, the same keys in every language.

Mnemonics (``&Accept``) cannot work on Chinese labels, so each frequent act has a fixed Ctrl+Shift+letter
(:data:`ACT_SHORTCUTS`). The letters were chosen to clash with nothing the desk or Qt already binds:

- the main window: Ctrl+L lock, Ctrl+Q quit, Ctrl+N new case, Ctrl+F find, Alt+1…4 pages, F1 help; the case
  page: F5 reload; an act dialog: Ctrl+Enter apply;
- Qt's standard keys on every platform scheme (Windows, X11/KDE/GNOME, macOS): Ctrl+Shift+A is *Deselect* on
  X11 (line editors would swallow it), Ctrl+Shift+S *Save as*, Ctrl+Shift+F *Full screen* on KDE, Ctrl+Shift+Z
  redo, Ctrl+Shift+G find previous — none of these is used;
- Chinese input methods: Ctrl+Shift+F switches 简/繁 in Microsoft Pinyin and Sogou, so it is avoided too;
- Ctrl+Shift+L is not used for closing the case: one slip from Ctrl+L (lock) must not open the closing act.

One key may serve acts of different procedures that never meet in one case (``hold_session`` of a mediation,
``hold_hearing`` of an adjudication). The keys are window-wide but live on the case page, so only the case
shown answers them; an act dialog (another window) does not. A key on an act not allowed now opens nothing:
the status bar (and a screen-reader announcement) gives the same reasons the button's tooltip shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QMainWindow, QWidget

from fzmediate.desk.case_view import ActLine
from fzmediate.i18n import N_, _

#: How long a refusal stays in the status bar (ms).
MESSAGE_MS = 10_000


@dataclass(frozen=True)
class ActShortcut:
    """``keys`` (portable text, e.g. "Ctrl+Shift+E") opens the first of ``actions`` the case's procedure has."""

    keys: str
    actions: tuple[str, ...]
    #: What the key does, for the shortcuts help (an ``N_`` msgid; the button shows the catalogue's label).
    description: str


ACT_SHORTCUTS: tuple[ActShortcut, ...] = (
    ActShortcut("Ctrl+Shift+E", ("accept",), N_("Accept the application")),
    ActShortcut("Ctrl+Shift+C", ("record_consent",), N_("Ask the other party for consent")),
    ActShortcut("Ctrl+Shift+N", ("issue_rights_notice",), N_("Serve the notice of rights and duties")),
    ActShortcut("Ctrl+Shift+K", ("acknowledge_rights_notice",), N_("Record that parties signed the notice")),
    ActShortcut("Ctrl+Shift+H", ("hold_session", "hold_hearing"), N_("Hold a mediation session or hearing")),
    ActShortcut("Ctrl+Shift+D", ("draft_agreement",), N_("Draft the mediation agreement")),
    ActShortcut("Ctrl+Shift+R", ("record_agreement",), N_("Record the mediation agreement")),
    ActShortcut("Ctrl+Shift+U", ("follow_up",), N_("Follow up")),
    ActShortcut("Ctrl+Shift+X", ("close",), N_("Close the case")),
)


def shortcut_for(action: str) -> ActShortcut | None:
    """The shortcut of ``action``, if it has one."""
    return next((s for s in ACT_SHORTCUTS if action in s.actions), None)


def native(keys: str) -> str:
    """``keys`` as this platform writes them (⌘ on macOS; "Ctrl+Shift+E" elsewhere)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def tooltip(act: ActLine) -> str:
    """The act button's tooltip: the reasons it is unavailable (if any), then its shortcut (if any)."""
    lines = [] if act.allowed else list(act.reasons)
    found = shortcut_for(act.action)
    if found is not None:
        lines.append(_("Shortcut: {keys}").format(keys=native(found.keys)))
    return "\n".join(lines)


def refusal(act: ActLine) -> str:
    """What a shortcut on an unavailable act says (the reasons the button shows)."""
    return _("{act} is not available now: {reasons}").format(act=act.label, reasons=_("; ").join(act.reasons))


class ActShortcuts(QObject):
    """The act keys of one case page. ``open_act(action)`` opens an allowed act's dialog.

    ``acts()`` gives the case's acts as last loaded (empty while loading: the keys do nothing then).
    ``message`` carries each refusal (also shown in the window's status bar and announced).
    """

    message = Signal(str)

    def __init__(
        self,
        page: QWidget,
        acts: Callable[[], tuple[ActLine, ...]],
        open_act: Callable[[str], object],
    ) -> None:
        super().__init__(page)
        self._page = page
        self._acts = acts
        self._open_act = open_act
        self.last_message = ""
        self.shortcuts: dict[str, QShortcut] = {}
        for entry in ACT_SHORTCUTS:
            shortcut = QShortcut(QKeySequence(entry.keys), page)
            # Window-wide, but only while the page is shown (a hidden case tab's keys do not match).
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda e=entry: self.trigger(e))
            self.shortcuts[entry.keys] = shortcut

    def act_of(self, entry: ActShortcut) -> ActLine | None:
        """The case's act that ``entry`` stands for (None: not part of this case's procedure, or not loaded)."""
        lines = {a.action: a for a in self._acts()}
        return next((lines[name] for name in entry.actions if name in lines), None)

    def trigger(self, entry: ActShortcut) -> None:
        if not self._acts():
            return  # still loading: the page says so already
        act = self.act_of(entry)
        if act is None:
            self._say(_("This case's procedure has no such act ({keys}).").format(keys=native(entry.keys)))
        elif act.allowed:
            self._open_act(act.action)
        else:
            self._say(refusal(act))

    def decorate(self, buttons: Mapping[str, QAbstractButton], acts: tuple[ActLine, ...]) -> None:
        """Show each act's shortcut in its button's tooltip (after its reasons, when it is unavailable)."""
        for act in acts:
            button = buttons.get(act.action)
            if button is not None:
                button.setToolTip(tooltip(act))

    def _say(self, text: str) -> None:
        self.last_message = text
        self.message.emit(text)
        window = self._page.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, MESSAGE_MS)
        # A status-bar text is not read out by itself: announce it to screen readers.
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self._page, text))
