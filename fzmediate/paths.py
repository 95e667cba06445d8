"""Default locations: the data directory (store, slots, logs) unless ``--data-dir`` says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "fzmediate"


def default_data_dir() -> Path:
    env = os.environ.get("FZMEDIATE_DATA_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP, APP))
