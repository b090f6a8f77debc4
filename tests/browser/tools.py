"""What the browser tests need on the machine: Playwright for Python (in .venv) and Debian's
chromium. Playwright's own browser download is not used: the tests launch /usr/bin/chromium."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

__all__ = ["CHROMIUM", "missing", "require_browser"]

CHROMIUM = os.environ.get("KVMLAB_CHROMIUM", "/usr/bin/chromium")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed in this Python (pip install playwright)"
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} not found (apt-get install chromium)"
    if importlib.util.find_spec("jupyterlab") is None:
        return "jupyterlab is not installed (pip install -e '.[course]')"
    return None


def require_browser(voila: bool = False) -> None:
    """Skip the calling test module when the tools are missing; under CI (CI set) fail instead,
    so a green run never hides a missing install step."""
    reason = missing()
    if reason is None and voila and importlib.util.find_spec("voila") is None:
        reason = "voila is not installed (pip install voila)"
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
