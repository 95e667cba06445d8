"""Language, text size, high contrast and the idle lock: this computer's own settings (everyone's).

The section only says what the user chose (``changed(Settings, rebuild)``); the page applies it: the
language and the look rebuild the window, the idle lock only tells the running lock its new timeout.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QSlider, QSpinBox, QWidget

from fzmediate.i18n import _, current_locale
from fzmediate.settings import MAX_IDLE_LOCK_SECONDS, MIN_TEXT_SCALE, Settings
from ui.desk.settings.common import allow, button, section, wrapped
from ui.style import BASE_POINT_SIZE

#: Each language in its own script, so that anyone can find theirs whatever the UI language now.
LANGUAGES: tuple[tuple[str, str], ...] = (("zh_CN", "简体中文"), ("zh_TW", "繁體中文"), ("en", "English"))
TEXT_SCALES: tuple[int, ...] = (100, 125, 150, 175, 200)


def _nearest_step(percent: int) -> int:
    return min(range(len(TEXT_SCALES)), key=lambda i: abs(TEXT_SCALES[i] - percent))


class AppearancePanel(QWidget):
    """Emits ``changed(Settings, rebuild)``: ``rebuild`` when the window must be built again to follow."""

    changed = Signal(object, bool)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        box, layout = section(_("Appearance"), self)
        outer.addWidget(box)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.language = QComboBox(box)
        self.language.setAccessibleName(_("Language"))
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.locale or current_locale())))
        self.language.activated.connect(self._language_chosen)
        language_label = QLabel(_("Language"), box)
        language_label.setBuddy(self.language)
        grid.addWidget(language_label, 0, 0)
        grid.addWidget(self.language, 0, 1)

        # Text size: the slider previews on the sample; "Apply" rebuilds once (not on every step).
        self.text_size = QSlider(Qt.Orientation.Horizontal, box)
        self.text_size.setRange(0, len(TEXT_SCALES) - 1)
        self.text_size.setPageStep(1)
        self.text_size.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.text_size.setTickInterval(1)
        self.text_size.setAccessibleName(_("Text size"))
        self.text_size.setValue(_nearest_step(settings.text_scale))
        size_label = QLabel(_("Text size"), box)
        size_label.setBuddy(self.text_size)
        self.size_value = QLabel(box)
        self.apply_size = button(_("Apply text size"), box)
        self.apply_size.clicked.connect(self._apply_size)
        size_row = QHBoxLayout()
        size_row.addWidget(self.text_size, 1)
        size_row.addWidget(self.size_value)
        size_row.addWidget(self.apply_size)
        grid.addWidget(size_label, 1, 0)
        grid.addLayout(size_row, 1, 1)
        self.sample = wrapped(_("Sample: 人民调解申请书 — the text of every screen grows with this size."), box)
        self.sample.setAccessibleName(_("Sample of the text size"))
        grid.addWidget(self.sample, 2, 1)
        self.text_size.valueChanged.connect(self._preview)

        self.high_contrast = QCheckBox(_("High contrast (black on white, strong borders)"), box)
        self.high_contrast.setAccessibleName(_("High contrast"))
        self.high_contrast.setChecked(settings.high_contrast)
        self.high_contrast.toggled.connect(self._contrast_toggled)
        grid.addWidget(self.high_contrast, 3, 0, 1, 2)

        self.idle_minutes = QSpinBox(box)
        self.idle_minutes.setRange(1, MAX_IDLE_LOCK_SECONDS // 60)
        self.idle_minutes.setSuffix(" " + _("min"))
        self.idle_minutes.setKeyboardTracking(False)  # one change when typing ends, not one per digit
        self.idle_minutes.setAccessibleName(_("Lock after minutes without activity"))
        self.idle_minutes.lineEdit().setAccessibleName(_("Lock after minutes without activity"))
        self.idle_minutes.setValue(max(1, round(settings.idle_lock_seconds / 60)))
        self.idle_minutes.valueChanged.connect(self._idle_changed)
        idle_label = wrapped(_("Lock after this many minutes without activity"), box)
        idle_label.setBuddy(self.idle_minutes)
        grid.addWidget(idle_label, 4, 0)
        grid.addWidget(self.idle_minutes, 4, 1, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(grid)
        layout.addWidget(
            wrapped(_("These settings belong to this computer; the language and text size apply at once."), box, "hint")
        )
        self._preview(self.text_size.value())

    # --- what the user chose ---------------------------------------------------------------------------
    def chosen_scale(self) -> int:
        return TEXT_SCALES[self.text_size.value()]

    def _preview(self, _step: int) -> None:
        percent = self.chosen_scale()
        self.size_value.setText("{0} %".format(percent))
        self.size_value.setAccessibleName(_("Text size {percent} %").format(percent=percent))
        font = QFont(self.sample.font())
        font.setPointSizeF(BASE_POINT_SIZE * percent / 100)
        self.sample.setFont(font)
        same = percent == self._settings.text_scale
        allow(self.apply_size, not same, _("This text size is already in use."))

    def _language_chosen(self, index: int) -> None:
        code = str(self.language.itemData(index))
        if code != (self._settings.locale or current_locale()):
            self._emit(replace(self._settings, locale=code), rebuild=True)

    def _apply_size(self) -> None:
        percent = self.chosen_scale()
        if percent != self._settings.text_scale and percent >= MIN_TEXT_SCALE:
            self._emit(replace(self._settings, text_scale=percent), rebuild=True)

    def _contrast_toggled(self, on: bool) -> None:
        if on != self._settings.high_contrast:
            self._emit(replace(self._settings, high_contrast=on), rebuild=True)

    def _idle_changed(self, minutes: int) -> None:
        seconds = minutes * 60
        if seconds != self._settings.idle_lock_seconds:
            self._emit(replace(self._settings, idle_lock_seconds=seconds), rebuild=False)

    def _emit(self, settings: Settings, *, rebuild: bool) -> None:
        self._settings = settings
        self._preview(self.text_size.value())
        self.changed.emit(settings, rebuild)
