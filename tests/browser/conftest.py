"""Fixtures of the real-browser tests: headless Debian chromium, a JupyterLab serving a copy of the
lessons, a page per test whose last view is saved under artifacts/browser/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .notebooks import ROOT
from .tools import CHROMIUM, missing

ARTIFACTS = ROOT / "artifacts" / "browser"
VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    if missing():
        pytest.skip(missing())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser, artifacts, request):
    """A fresh page; JavaScript exceptions are kept in ``page.js_errors``; its last view is saved
    as artifacts/browser/<test>-end.png whether the test passed or not."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.js_errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))  # type: ignore[attr-defined]
    pg.set_default_timeout(60_000)
    yield pg
    name = re.sub(r"[^\w.-]+", "-", request.node.name)
    try:
        pg.screenshot(path=str(artifacts / f"{name}-end.png"))
    finally:
        context.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab from .venv on 127.0.0.1 serving a copy of notebooks/ and the generated widget
    notebook; stopped at the end with no process left behind."""
    from .notebooks import stage
    from .servers import jupyter_lab

    root, home = tmp_path_factory.mktemp("lab-root"), tmp_path_factory.mktemp("lab-home")
    files = stage(root)
    server = jupyter_lab(root, home)
    server.files = files  # type: ignore[attr-defined]
    server.root = root  # type: ignore[attr-defined]
    yield server
    server.stop()
    assert server.leftovers() == [], "JupyterLab or its kernels outlived the test"
