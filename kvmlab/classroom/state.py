"""The state file: which accounts, processes and ports this classroom made (root-only, 0600)."""

from __future__ import annotations

import json
import os

from . import paths


def load() -> dict:
    try:
        with open(paths.STATE_FILE) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def save(state: dict) -> None:
    os.makedirs(paths.STATE_DIR, mode=0o700, exist_ok=True)
    os.chmod(paths.STATE_DIR, 0o700)
    tmp = paths.STATE_FILE + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, paths.STATE_FILE)
