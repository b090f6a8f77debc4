"""The course in a real browser: JupyterLab, headless chromium, the lessons run top to bottom, then
a person's clicks — fill the DomainForm, Define, Start from the dashboard; start a network
from the NetworkForm. Screenshots go to artifacts/browser/.

The VM lesson (08) and the network lessons (09, 04) are opened when they exist; otherwise a
generated notebook with the same widgets stands in (the screenshots' names say which). Every other
lesson is opened and run top to bottom too, as a learner's Run All.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from .tools import require_browser

require_browser()

from playwright.sync_api import expect  # noqa: E402

from . import pages  # noqa: E402
from .notebooks import BROKEN, GENERATED, LESSON_MODES, LESSON_NETS, LESSON_VMS, ROOT  # noqa: E402

pytestmark = pytest.mark.timeout(900)


def _slug(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].removesuffix(".ipynb")


def _open_and_run(lab, page, rel: str) -> pages.Problems:
    """Open ``rel`` in JupyterLab, Run All Cells, and check a person would see nothing broken."""
    pages.open_notebook(page, lab.url(f"/lab/tree/{rel}"))
    pages.hide_file_browser(page)
    took = pages.run_all(page)
    print(f"{rel}: ran all cells in {took:.1f}s")
    found = pages.problems(page, lab.files[rel])
    assert found.broken() == [], f"{rel} shows errors after Run All: {found.broken()}"
    kernels = lab.kernel_cmdlines()
    venv_bin = Path(sys.executable).parent  # python, python3 …: any interpreter of this venv
    assert kernels and all(Path(cmd[0]).parent == venv_bin for cmd in kernels), (
        f"the kernel must run on this venv's Python ({venv_bin}), not {kernels}")  # fmt: skip
    return found


def _dashboard(page, title: str, widget: str):
    """The last dashboard on display; a lesson may close its own (dash.close()) once it has made
    its point, and then the learner adds a cell that shows a fresh one on the same ``conn``."""
    shown = page.locator(pages.OUTPUT).filter(has_text=title)
    if shown.count():
        return shown.last
    cell = pages.add_cell(page, f"from kvmlab.widgets import {widget}; {widget}(conn)")
    expect(cell).to_contain_text(title)
    return cell.locator(pages.OUTPUT).filter(has_text=title).last


OTHER_LESSONS = sorted(
    rel for rel in (f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if rel not in (LESSON_VMS, LESSON_NETS, LESSON_MODES)
)


@pytest.mark.parametrize("rel", OTHER_LESSONS, ids=_slug)
def test_every_other_lesson_runs_all_without_an_error(lab, page, artifacts, rel):
    found = _open_and_run(lab, page, rel)
    assert found.widget_errors == [], f"{rel}: widgets failed to render: {found.widget_errors}"
    page.screenshot(path=str(artifacts / f"{_slug(rel)}-run-all.png"), full_page=True)


ZH_LESSONS = sorted(f"notebooks/zh/{p.name}" for p in (ROOT / "notebooks" / "zh").glob("[0-9][0-9]-*.ipynb"))


@pytest.mark.parametrize("rel", ZH_LESSONS, ids=lambda rel: "zh-" + _slug(rel))
def test_every_chinese_lesson_runs_all_and_reads_chinese(lab, page, artifacts, rel):
    found = _open_and_run(lab, page, rel)
    assert found.widget_errors == [], f"{rel}: widgets failed to render: {found.widget_errors}"
    heading = page.locator(".jp-RenderedMarkdown h1").first
    expect(heading).to_contain_text("第" if not rel.endswith("00-glossary.ipynb") else "术语表")
    page.screenshot(path=str(artifacts / f"zh-{_slug(rel)}-run-all.png"), full_page=True)


def test_domain_form_define_then_start(lab, page, artifacts):
    rel = LESSON_VMS if LESSON_VMS in lab.files else GENERATED
    _open_and_run(lab, page, rel)
    form = pages.output_with(page, "virsh define receives")
    name = "browser-vm"
    pages.fill_text(form, "name", name)
    pages.fill_int(form, "memory", 256)
    expect(form.locator("pre").first).to_contain_text(f"<name>{name}</name>")
    expect(form.locator("pre").first).to_contain_text(">256</memory>")  # the kernel saw both fields
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{_slug(rel)}-form-filled.png"))

    pages.button(form, "Define").click()
    expect(form).to_contain_text(f"Domain '{name}' defined")
    assert form.locator(".kvmlab-error").count() == 0, form.locator(".kvmlab-error").all_inner_texts()

    dash = _dashboard(page, "Domains (virsh list --all)", "Dashboard")
    assert pages.wait_row_state(dash, name, "shut off")  # listed by libvirt, as defined
    pages.row(dash, name).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{_slug(rel)}-defined.png"))

    pages.button(pages.row(dash, name), "start").click()
    assert pages.wait_row_state(dash, name, "running") == "running"
    expect(dash).to_contain_text(f"Domain '{name}' started")
    assert dash.locator(".kvmlab-error").count() == 0, dash.locator(".kvmlab-error").all_inner_texts()
    page.screenshot(path=str(artifacts / f"{_slug(rel)}-started.png"))

    # a change the dashboard did not make itself reaches it through libvirt's lifecycle events
    pages.fill_text(form, "name", f"{name}2")
    expect(form.locator("pre").first).to_contain_text(f"<name>{name}2</name>")
    pages.button(form, "Define").click()
    expect(form).to_contain_text(f"Domain '{name}2' defined")
    assert pages.wait_row_state(dash, f"{name}2", "shut off") == "shut off"
    expect(dash).to_contain_text(f"event: domain {name}2 defined")

    assert pages.problems(page, lab.files[rel]).broken() == []
    assert page.js_errors == [], page.js_errors
    lab.shutdown_kernels()


@pytest.mark.parametrize("lesson", [LESSON_NETS, LESSON_MODES], ids=["lesson09", "lesson04"])
def test_network_form_define_and_start(lab, page, artifacts, lesson):
    rel = lesson if lesson in lab.files else GENERATED if lesson == LESSON_NETS else None
    if rel is None:
        pytest.skip(f"{lesson} is not written yet")
    _open_and_run(lab, page, rel)
    form = pages.output_with(page, "virsh net-define receives")
    name = "browser-net"
    for label, value in (("name", name), ("bridge", "virbr19"), ("gateway", "192.168.199.1"),
                         ("from", "192.168.199.10"), ("to", "192.168.199.99")):  # fmt: skip
        pages.fill_text(form, label, value)
    expect(form.locator("pre").first).to_contain_text(f"<name>{name}</name>")
    expect(form.locator("pre").first).to_contain_text("192.168.199.99")
    expect(form).to_contain_text("valid: libvirt's schema and kvmlab's checks pass")

    pages.button(form, "Define + start").click()
    expect(form).to_contain_text(f"Network {name} started")
    expect(form.get_by_role("row", name="Active yes")).to_be_visible()  # net-info, read back from libvirt
    assert form.locator(".kvmlab-error").count() == 0, form.locator(".kvmlab-error").all_inner_texts()
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{_slug(rel)}-network-started.png"))

    nets = _dashboard(page, "Virtual networks (virsh net-list --all)", "NetworkDashboard")
    assert pages.wait_row_state(nets, name, re.compile(r"^active\b")).startswith("active")
    pages.row(nets, name).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{_slug(rel)}-network-dashboard.png"))

    assert pages.problems(page, lab.files[rel]).broken() == []
    assert page.js_errors == [], page.js_errors
    lab.shutdown_kernels()


def test_the_checks_catch_a_broken_notebook(lab, page):
    """The machinery itself: a traceback stops Run All and is reported, stderr too."""
    pages.open_notebook(page, lab.url(f"/lab/tree/{BROKEN}"))
    with pytest.raises(AssertionError, match=r"code cells \[3\] never ran.*ZeroDivisionError"):
        pages.run_all(page, stalled=5.0)
    found = pages.problems(page, lab.files[BROKEN])
    assert len(found.tracebacks) == 1 and "ZeroDivisionError" in found.tracebacks[0]
    assert found.stderr == ["cell 1: a warning"]
    lab.shutdown_kernels()
