"""Today: the signed-in user's day — cases by their next deadline, sessions, applications, follow-ups, 司法确认
windows and (supervisors) what waits for them. One store call (``fzmediate.desk.today.today``) per load.

Loads on ``activated()`` and after any write (``on_changed``), debounced so a burst of writes loads once, with
one load in flight at a time. Overdue items carry a warning icon and the word, never colour alone.
"""

from __future__ import annotations

from datetime import date

import shiboken6
from PySide6.QtCore import QDate, QLocale, Qt, QTime, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk.today import SectionKind, TodayItem, TodaySection, TodayView, today
from fzmediate.i18n import _, ngettext
from fzmediate.store.changes import OpChanges
from ui.desk.page import DeskEnv, DeskPage
from ui.ops import error_message, log_failure
from ui.style import set_role

#: Writes often come in bursts (an act, then its document): load once after them.
DEBOUNCE_MS = 300
CASE_ID_ROLE = Qt.ItemDataRole.UserRole


def _titles() -> dict[SectionKind, str]:
    return {
        SectionKind.MY_CASES: _("My cases: next steps and deadlines"),
        SectionKind.SESSIONS_TODAY: _("Sessions today"),
        SectionKind.SESSIONS_WEEK: _("Sessions in the next 7 days"),
        SectionKind.APPLICATIONS: _("Applications waiting (kiosk imports)"),
        SectionKind.FOLLOW_UPS: _("Follow-ups due"),
        SectionKind.JUDICIAL_CONFIRMATION: _("Judicial confirmation windows closing"),
        SectionKind.WAITING_FOR_ME: _("Waiting for me"),
    }


def _empty() -> dict[SectionKind, str]:
    return {
        SectionKind.MY_CASES: _("None of your cases has a deadline running."),
        SectionKind.SESSIONS_TODAY: _("No sessions planned for today."),
        SectionKind.SESSIONS_WEEK: _("No sessions planned for the next 7 days."),
        SectionKind.APPLICATIONS: _("No applications are waiting."),
        SectionKind.FOLLOW_UPS: _("No follow-ups are due."),
        SectionKind.JUDICIAL_CONFIRMATION: _("No judicial confirmation window is open."),
        SectionKind.WAITING_FOR_ME: _("Nothing is waiting for your decision."),
    }


def _day(d: date) -> str:
    return QLocale().toString(QDate(d.year, d.month, d.day), QLocale.FormatType.ShortFormat)


def when_text(item: TodayItem) -> str:
    """How urgent an item is, in words (never colour alone)."""
    if item.starts_at is not None:
        start = item.starts_at
        time = QLocale().toString(QTime(start.hour, start.minute), QLocale.FormatType.ShortFormat)
        minutes = ngettext("{n} minute", "{n} minutes", item.minutes).format(n=item.minutes)
        return _("{day} {time} ({minutes}), {place}").format(
            day=_day(item.starts_at.date()), time=time, minutes=minutes, place=item.place
        )
    if item.since is not None:
        return _("owed since {day}").format(day=_day(item.since))
    if item.due is None:
        return ""
    due = _day(item.due)
    if item.recomputing:
        return _("due {day}; the deadline is being recomputed").format(day=due)
    left = item.working_days_left
    if item.overdue:
        if left is None or left >= 0:
            # Past due on a weekend or holiday: no working day has passed yet, but it is overdue all the same.
            text = _("⚠ overdue: was due {day}").format(day=due)
        else:
            text = ngettext(
                "⚠ overdue by {n} working day (was due {day})", "⚠ overdue by {n} working days (was due {day})", -left
            ).format(n=-left, day=due)
    elif left == 0:
        text = _("due today ({day})").format(day=due)
    elif left is None:
        text = _("due {day}").format(day=due)
    else:
        text = ngettext("{n} working day left (due {day})", "{n} working days left (due {day})", left).format(
            n=left, day=due
        )
    if item.provisional:
        text = _("{text}; provisional: that year's holiday arrangement is not yet published").format(text=text)
    return text


def item_text(item: TodayItem) -> str:
    """The line a list shows (and reads out) for an item: the case, the step and how urgent it is."""
    parties = " / ".join((*item.applicants, *item.respondents))
    step = item.step
    if item.deadline_label and item.deadline_label != item.step:
        step = _("{step} ({limit})").format(step=item.step, limit=item.deadline_label)
    return _("{number} {matter} {parties}\n{step}: {when}").format(
        number=item.number, matter=item.matter_name, parties=parties, step=step, when=when_text(item)
    )


class _SectionCard(QFrame):
    """One section: a titled card with its items as a list (activate to open the case) or a plain count."""

    def __init__(self, page: TodayPage, section: TodaySection) -> None:
        super().__init__(page)
        set_role(self, "card")
        self.section = section
        layout = QVBoxLayout(self)
        title = QLabel(_titles()[section.kind], self)
        title.setWordWrap(True)
        set_role(title, "title")
        layout.addWidget(title)
        self.list: QListWidget | None = None
        if section.kind is SectionKind.APPLICATIONS:
            layout.addWidget(self._hint(self._applications_text(section)))
            self.review_button = QPushButton(_("Review applications…"), self)
            self.review_button.setAccessibleName(_("Review applications"))
            self.review_button.clicked.connect(page.open_inbox_requested)
            buttons = QHBoxLayout()
            buttons.addWidget(self.review_button)
            buttons.addStretch(1)
            layout.addLayout(buttons)
            return
        if not section.items:
            layout.addWidget(self._hint(_empty()[section.kind]))
            return
        if section.kind is SectionKind.MY_CASES and section.overdue:
            warn = self._hint(
                ngettext("⚠ {n} case is overdue.", "⚠ {n} cases are overdue.", section.overdue).format(
                    n=section.overdue
                )
            )
            set_role(warn, "overdue")
            layout.addWidget(warn)
        if section.total > len(section.items):
            layout.addWidget(
                self._hint(_("Showing the {shown} most urgent of {total}.").format(
                    shown=len(section.items), total=section.total
                ))
            )  # fmt: skip
        lst = QListWidget(self)
        lst.setAccessibleName(_titles()[section.kind])
        lst.setWordWrap(True)
        lst.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for item in section.items:
            text = item_text(item)
            row = QListWidgetItem(text, lst)
            row.setData(CASE_ID_ROLE, item.case_id)
            row.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace("\n", " "))
            if item.overdue:
                row.setIcon(warning)
        lst.itemActivated.connect(lambda row: page.open_case(row.data(CASE_ID_ROLE)))
        lst.itemDoubleClicked.connect(lambda row: page.open_case(row.data(CASE_ID_ROLE)))
        layout.addWidget(lst)
        self.list = lst
        button = QPushButton(_("Open the selected case"), self)
        button.setAccessibleName(_("Open the selected case: {section}").format(section=_titles()[section.kind]))
        button.clicked.connect(lambda: self._open_current(page))
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)

    def _hint(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setWordWrap(True)
        set_role(label, "hint")
        return label

    @staticmethod
    def _applications_text(section: TodaySection) -> str:
        if not section.total:
            return _empty()[SectionKind.APPLICATIONS]
        text = ngettext(
            "{n} application imported from a kiosk waits to be registered or rejected.",
            "{n} applications imported from kiosks wait to be registered or rejected.",
            section.total,
        ).format(n=section.total)
        if section.oldest is not None:
            text = _("{text} The oldest was imported on {day}.").format(text=text, day=_day(section.oldest))
        return text

    def _open_current(self, page: TodayPage) -> None:
        row = self.list.currentItem() if self.list is not None else None
        if row is None and self.list is not None and self.list.count():
            row = self.list.item(0)
        if row is not None:
            page.open_case(row.data(CASE_ID_ROLE))

    def fit_list(self) -> None:
        """Show every row: the page scrolls, not each list (rows wrap, so heights follow the width)."""
        if self.list is None or not shiboken6.isValid(self.list):
            return  # the card is being replaced (a reload) or the window is going (a lock)
        lst = self.list
        height = sum(lst.sizeHintForRow(i) for i in range(lst.count())) + 2 * lst.frameWidth() + 4
        lst.setFixedHeight(height)


class TodayPage(DeskPage):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.view: TodayView | None = None
        self._loading = False
        self._again = False
        self._cards: list[_SectionCard] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.reload)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(self._scroll)
        self._content = QWidget(self._scroll)
        self._layout = QVBoxLayout(self._content)
        self._greeting = QLabel(self._greeting_text(None), self._content)
        self._greeting.setWordWrap(True)
        set_role(self._greeting, "title")
        self._layout.addWidget(self._greeting)
        self.status = QLabel(_("Loading…"), self._content)
        self.status.setWordWrap(True)
        set_role(self.status, "hint")
        self._layout.addWidget(self.status)
        self._sections = QVBoxLayout()
        self._layout.addLayout(self._sections)
        self._layout.addStretch(1)
        self._scroll.setWidget(self._content)

    def page_title(self) -> str:
        return _("Today")

    # --- loading --------------------------------------------------------------------------------------------
    def activated(self) -> None:
        self.reload()

    def on_changed(self, changes: OpChanges, initiator: object) -> None:
        if changes:
            self._timer.start()

    @property
    def loading(self) -> bool:
        return self._loading

    def reload(self) -> None:
        """Load Today now, or once more after the load in flight."""
        if self._loading:
            self._again = True
            return
        if not self.env.context.active:
            return
        self._loading = True
        self._again = False
        self.status.setText(_("Loading…"))
        self.status.show()
        self.env.context.call(today, on_success=self._loaded, on_failure=self._failed, parent=self)

    def _done(self) -> None:
        self._loading = False
        if self._again:
            self.reload()

    def _loaded(self, view: TodayView) -> None:
        self.view = view
        self._greeting.setText(self._greeting_text(view))
        self.status.hide()
        for card in self._cards:
            card.deleteLater()
        self._cards = [_SectionCard(self, s) for s in view.sections]
        for card in self._cards:
            self._sections.addWidget(card)
        QTimer.singleShot(0, self, self._fit)  # dropped if the page goes first (a lock)
        self._done()

    def _failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self.status.setText(_("Today could not be loaded: {reason}").format(reason=error_message(exc)))
        set_role(self.status, "error")
        self.status.show()
        self._done()

    def _fit(self) -> None:
        for card in self._cards:
            if shiboken6.isValid(card):
                card.fit_list()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit()

    def _greeting_text(self, view: TodayView | None) -> str:
        name = self.env.actor.full_name or self.env.actor.login
        if view is None:
            return _("Hello, {name}.").format(name=name)
        day = QLocale().toString(
            QDate(view.today.year, view.today.month, view.today.day), QLocale.FormatType.LongFormat
        )
        return _("Hello, {name}. Today is {day}.").format(name=name, day=day)

    # --- acting ---------------------------------------------------------------------------------------------
    def open_case(self, case_id: object) -> None:
        if isinstance(case_id, str) and case_id:
            self.open_case_requested.emit(case_id)

    def cards(self) -> list[_SectionCard]:
        return list(self._cards)
