"""The guide beside the intake form: the matter's conditions and required materials as a checklist the mediator
ticks while checking the application, its time limits, and who is competent (with the "not ours" notice).

Everything shown is catalogue data (``fzmediate.desk.intake.MatterInfo``); the ticks are the mediator's working
aid at the desk and are not stored (the intake format has no field for them).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from fzmediate.desk.intake import MatterInfo
from fzmediate.i18n import _, ngettext
from ui.style import set_role


def not_ours_text(matter: MatterInfo) -> str:
    """The notice for a matter this desk does not implement: register, then transfer to the competent body."""
    return _(
        "Not handled by this desk. The application will be registered and must then be transferred to {bodies} "
        "within 3 working days (the case view offers the transfer)."
    ).format(bodies="、".join(matter.competent) or "—")


def _label(text: str, parent: QWidget, role: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        set_role(label, role)
    return label


class _WrappingCheck(QWidget):
    """A check box whose text wraps (QCheckBox's own text never does): the box, and a label as its buddy."""

    toggled = Signal(bool)

    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.box = QCheckBox(self)
        self.box.setAccessibleName(text)
        self.text = _label(text, self)
        self.text.setBuddy(self.box)
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        self.box.toggled.connect(self.toggled)

    def isChecked(self) -> bool:
        return self.box.isChecked()

    def setChecked(self, checked: bool) -> None:
        self.box.setChecked(checked)


class GuidePanel(QScrollArea):
    """The matter's guide with its checklists (rebuilt by :meth:`show_matter`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Every text wraps: the guide follows the panel's width, never a sideways scroll.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName(_("Application guide"))
        self.conditions: list[_WrappingCheck] = []
        self.materials: list[tuple[_WrappingCheck, bool]] = []
        self.missing = _label("", self, "hint")
        self.matter: MatterInfo | None = None

    def show_matter(self, matter: MatterInfo) -> None:
        self.matter = matter
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(_label(_("Application guide"), body, "title"))
        layout.addWidget(_label("{0}（{1}）".format(matter.name, matter.code), body, "subtitle"))
        if not matter.ours:
            competent = _("Competent: {bodies}").format(bodies="、".join(matter.competent) or "—")
            layout.addWidget(_label(competent, body, "notice"))
        else:
            layout.addWidget(_label(_("Handled by this desk."), body))
        layout.addWidget(_label(matter.summary, body))

        layout.addWidget(_label(_("Conditions: tick each one the application meets"), body, "subtitle"))
        self.conditions = []
        for text in matter.conditions:
            check = _WrappingCheck(text, body)
            layout.addWidget(check)
            self.conditions.append(check)

        layout.addWidget(_label(_("Required materials: tick each one received"), body, "subtitle"))
        self.materials = []
        for m in matter.materials:
            need = _("must be provided") if m.required else _("if applicable")
            copies = ngettext("{n} copy", "{n} copies", m.copies).format(n=m.copies)
            text = _("{name} — {form}, {copies}, {need}").format(name=m.name, form=m.form, copies=copies, need=need)
            check = _WrappingCheck(text, body)
            if m.notes:
                check.text.setToolTip(m.notes)
                check.box.setAccessibleDescription(m.notes)
            check.toggled.connect(self._count_missing)
            layout.addWidget(check)
            self.materials.append((check, m.required))
        self.missing = _label("", body, "hint")
        layout.addWidget(self.missing)

        layout.addWidget(_label(_("Time limits"), body, "subtitle"))
        for t in matter.time_limits:
            layout.addWidget(
                _label(
                    _("{label} ({kind}): {period}, from {start}. Basis: {basis}").format(
                        label=t.label, kind=t.kind, period=t.period, start=t.starts_from, basis=t.basis
                    ),
                    body,
                )
            )
        layout.addWidget(_label(_("Place: {place}").format(place=matter.place), body, "hint"))
        layout.addWidget(_label(_("Hours: {hours}").format(hours=matter.hours), body, "hint"))
        layout.addWidget(_label(_("Enquiries: {phone}").format(phone=matter.consult_phone), body, "hint"))
        layout.addStretch(1)
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self.setWidget(body)
        self._count_missing()

    def missing_required(self) -> int:
        """How many required materials are not ticked."""
        return sum(1 for check, required in self.materials if required and not check.isChecked())

    def _count_missing(self) -> None:
        n = self.missing_required()
        self.missing.setText(
            ngettext("{n} required material not yet ticked.", "{n} required materials not yet ticked.", n).format(n=n)
            if n
            else _("Every required material is ticked.")
        )
