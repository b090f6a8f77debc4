"""The kvmlab app (Voilà on kvmlab/app/dashboard.ipynb) in a real browser: no code on the page,
the dashboards answer clicks, the state shown changes. Screenshots go to artifacts/browser/."""

from __future__ import annotations

import pytest

from .tools import require_browser

require_browser(voila=True)

from playwright.sync_api import expect  # noqa: E402

from . import pages  # noqa: E402

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from .servers import voila

    server = voila(tmp_path_factory.mktemp("voila-home"))
    yield server
    server.stop()
    assert server.leftovers() == [], "Voilà or its kernel outlived the test"


def test_app_shows_dashboards_without_code_and_acts(app, page, artifacts):
    page.goto(app.url("/"))
    view = page.locator("body")
    expect(view.get_by_text("kvmlab: the lab at a glance")).to_be_visible(timeout=180_000)
    assert page.locator(".jp-InputArea, .jp-CodeCell .jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0
    assert "lab_view" not in page.content()  # the code cell is stripped, not merely hidden
    for tab in ("Virtual machines", "Networks", "Storage pools", "New VM", "New network"):
        expect(page.get_by_role("tab", name=tab)).to_be_visible()

    domains = pages.output_with(page, "Domains (virsh list --all)")
    assert pages.wait_row_state(domains, "web01", "running") == "running"
    assert pages.wait_row_state(domains, "build", "paused") == "paused"
    page.screenshot(path=str(artifacts / "app-opened.png"))

    pages.button(pages.row(domains, "web01"), "suspend").click()
    assert pages.wait_row_state(domains, "web01", "paused") == "paused"
    expect(domains).to_contain_text("Domain 'web01' suspended")
    pages.button(pages.row(domains, "build"), "resume").click()
    assert pages.wait_row_state(domains, "build", "running") == "running"
    assert domains.locator(".kvmlab-error").count() == 0, domains.locator(".kvmlab-error").all_inner_texts()
    page.screenshot(path=str(artifacts / "app-domain-clicked.png"))

    # a wrong click teaches and changes nothing: start a domain that already runs
    pages.button(pages.row(domains, "db01"), "start").click()
    expect(domains.locator(".kvmlab-error")).to_contain_text("error:")
    assert pages.row_state(domains, "db01") == "running"

    page.get_by_role("tab", name="Networks").click()
    nets = pages.output_with(page, "Virtual networks (virsh net-list --all)")
    before = pages.row_state(nets, "isolated")
    assert before.startswith("inactive"), before
    pages.button(pages.row(nets, "isolated"), "start").click()
    assert pages.wait_row_state(nets, "isolated", "active, autostart no, persistent").startswith("active")
    page.screenshot(path=str(artifacts / "app-network-started.png"))

    found = pages.problems(page)
    assert found.broken() == [], found.broken()
    assert page.js_errors == [], page.js_errors
