"""Registering an application (placeholder until the intake form lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.desk.page import DeskEnv


def open_intake(env: DeskEnv, parent: QWidget) -> None:
    """Open the intake form (window-modal); the new case opens in its tab once registered."""
