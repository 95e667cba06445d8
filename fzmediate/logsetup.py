"""Logging to a rotating file in the data directory, with personal data masked before any write."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from fzmediate.security.masking import PiiRedactingFilter

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_dir: Path, *, level: int = logging.INFO) -> logging.Handler:
    """Attach one rotating file handler to the root logger (idempotent per directory)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    target = str(log_dir / "fzmediate.log")
    for h in root.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and h.baseFilename == target:
            return h
    handler = logging.handlers.RotatingFileHandler(target, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(PiiRedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # SQLAlchemy's own loggers would echo statements: never above WARNING in the file.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return handler
