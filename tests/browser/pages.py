"""Driving kvmlab's widgets in a real browser, with selectors a person would use: the text of a
button, the label (``description``) of a field, the name in a dashboard row.

ipywidgets 8 renders a field as ``<label class="widget-label" for=ID>name</label><input id=ID>``
(so Playwright's ``get_by_label`` finds it), a button as ``button.widget-button`` with its
description as text, and a dashboard row as ``.widget-hbox`` holding ``<b>name</b>`` then the
state badge. kvmlab's teaching errors are ``.kvmlab-error``; a widget that failed to render is
``.jupyter-widgets-error-widget`` (or says "Error displaying widget").
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import nbformat
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

__all__ = ["Problems", "open_notebook", "hide_file_browser", "add_cell", "run_all", "problems", "output_with",
           "row", "row_state", "wait_row_state", "button", "fill_text", "fill_int"]  # fmt: skip

OUTPUT = ".jp-OutputArea-output"
TRACEBACK = re.compile(r"^-{20,}\s*$|Traceback \(most recent call last\)", re.M)
STDERR_MIME = "application/vnd.jupyter.stderr"


def open_notebook(page: Page, url: str, timeout: float = 120_000) -> None:
    """Open a notebook in JupyterLab and wait until its kernel is connected and idle."""
    page.goto(url + ("&" if "?" in url else "?") + "reset")  # a fresh workspace: no tabs restored
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout)
    dialog = page.locator(".jp-Dialog")  # "Select Kernel" if the notebook names none we have
    if dialog.count() and dialog.get_by_role("button", name="Select").count():
        dialog.get_by_role("button", name="Select").click()
    # the status bar says "Python 3 (ipykernel) | Idle" once the kernel is connected and ready
    expect(page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\| Idle$"))).to_be_visible(timeout=timeout)


def hide_file_browser(page: Page) -> None:
    """Collapse the left sidebar, so screenshots show the notebook wide."""
    current = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if current.count():
        current.first.click()


def add_cell(page: Page, code: str, timeout: float = 120_000) -> Locator:
    """Add a code cell at the end as a learner would (select the last cell, Esc, B), type
    ``code``, Shift+Enter; wait for its execution count. Returns the new cell."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    before = cells.count()
    cells.last.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.wait_for_function(f"document.querySelectorAll('.jp-Notebook .jp-Cell').length > {before}")
    cell = cells.nth(before)
    cell.locator(".cm-content").click()
    page.keyboard.insert_text(code)  # as pasted: no auto-indent or bracket completion
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-InputArea-prompt")).to_have_text(re.compile(r"^\[\d+\]:$"), timeout=timeout)
    return cell


def _prompts(page: Page) -> tuple[list[str], str]:
    prompts = [p.strip() for p in page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()]
    status = page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status") or ""
    return prompts, status


def run_all(page: Page, timeout: float = 600.0, stalled: float = 15.0) -> float:
    """Clear all outputs, then Run ▸ Run All Cells through the menus, as a learner would; wait
    until every code cell has an execution count and the kernel is idle. Returns the seconds
    the run took.

    Raises AssertionError when execution stops early (JupyterLab stops Run All at the first
    error: the kernel then sits idle with cells never run) or takes longer than ``timeout``.
    """
    # Edit ▸ Clear Outputs of All Cells first: a lesson is saved with its outputs and execution
    # counts, which would look like a finished run (and hide what this run shows)
    page.get_by_role("menuitem", name="Edit", exact=True).click()
    page.locator("li[data-command='editmenu:clear-all']").click()
    expect(page.locator(f".jp-Notebook {OUTPUT}")).to_have_count(0)
    t0 = time.monotonic()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator("li[data-command='runmenu:run-all']").click()
    numbered = re.compile(r"^\[\d+\]:$")
    idle_since = None
    while time.monotonic() - t0 < timeout:
        time.sleep(0.5)
        prompts, status = _prompts(page)
        done = bool(prompts) and all(numbered.match(p) for p in prompts)
        if done and status == "idle":
            return time.monotonic() - t0
        if status == "idle" and not any("*" in p for p in prompts):
            idle_since = idle_since or time.monotonic()
            ran = any(numbered.match(p) for p in prompts)
            if time.monotonic() - idle_since > (stalled if ran else 8 * stalled):
                never = [i for i, p in enumerate(prompts) if not numbered.match(p)]
                raise AssertionError(f"Run All stopped: code cells {never} never ran; "
                                     f"errors shown: {problems(page).broken()}")  # fmt: skip
        else:
            idle_since = None
    raise AssertionError(f"Run All did not finish in {timeout:.0f}s: prompts {_prompts(page)[0]}")


@dataclass
class Problems:
    """What a person would see as broken (``broken()``), and kvmlab's teaching errors on display
    (``kvmlab_errors``: a lesson may show one on purpose, so tests judge those themselves)."""

    tracebacks: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    widget_errors: list[str] = field(default_factory=list)
    kvmlab_errors: list[str] = field(default_factory=list)

    def broken(self) -> list[str]:
        return self.tracebacks + self.stderr + self.widget_errors


def _allowed_error_cells(nb_path) -> set[int]:
    """Indexes of cells tagged ``raises-exception`` (a traceback there is the lesson's point)."""
    if nb_path is None:
        return set()
    nb = nbformat.read(nb_path, as_version=4)
    return {i for i, c in enumerate(nb.cells) if "raises-exception" in c.metadata.get("tags", [])}


def problems(page: Page, nb_path=None) -> Problems:
    """Tracebacks and stderr in cell outputs (cells tagged raises-exception aside), widgets that
    failed to render, and kvmlab teaching errors on display (returned apart: a lesson may show
    one on purpose; tests decide which may be there)."""
    found = Problems()
    allowed = _allowed_error_cells(nb_path)
    cells = page.locator(".jp-Notebook .jp-Cell")
    if not cells.count():  # Voilà: outputs only
        cells = page.locator(".jp-OutputArea")
    for i in range(cells.count()):
        # JupyterLab renders an error (a traceback) with the stderr MIME type, like stderr itself
        for text in cells.nth(i).locator(f"{OUTPUT}[data-mime-type='{STDERR_MIME}']").all_inner_texts():
            if TRACEBACK.search(text):
                if i not in allowed:
                    found.tracebacks.append(f"cell {i}: {text.strip()[:600]}")
            else:
                found.stderr.append(f"cell {i}: {text.strip()[:400]}")
    root = page.locator("body")
    found.widget_errors += root.locator(".jupyter-widgets-error-widget").all_inner_texts()
    found.widget_errors += root.get_by_text("Error displaying widget").all_inner_texts()
    found.kvmlab_errors += root.locator(".kvmlab-error").all_inner_texts()
    return found


def output_with(page: Page, *texts: str, last: bool = False) -> Locator:
    """The cell output (or Voilà output) whose widgets show all ``texts``; the first one unless
    ``last``. Raises AssertionError naming the texts when none does."""
    loc = page.locator(f"{OUTPUT}, .jp-OutputArea-output")
    for t in texts:
        loc = loc.filter(has_text=t)
    n = loc.count()
    assert n, f"no output shows {texts!r}"
    return loc.nth(n - 1 if last else 0)


def button(scope: Locator, text: str) -> Locator:
    """The button whose text is exactly ``text`` (ipywidgets: ``button.widget-button``)."""
    return scope.locator("button.widget-button").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).first


def fill_text(scope: Locator, label: str, value: str) -> None:
    """Type into the text field labelled ``label`` (a Text widget syncs on every keystroke)."""
    field_ = scope.get_by_label(label, exact=True).first
    field_.fill(value)
    field_.press("Tab")


def fill_int(scope: Locator, label: str, value: int) -> None:
    """An IntText syncs on change: type, then leave the field."""
    field_ = scope.get_by_label(label, exact=True).first
    field_.fill(str(value))
    field_.press("Enter")
    field_.press("Tab")


def row(scope: Locator, name: str) -> Locator:
    """A dashboard row: the ``.widget-hbox`` whose bold name is exactly ``name``."""
    exact = re.compile(rf"^{re.escape(name)}$")
    return scope.locator(".widget-hbox").filter(has=scope.page.locator("b", has_text=exact)).first


def row_state(scope: Locator, name: str) -> str:
    """The state badge's text of ``name``'s row, without the bullet ("running", "shut off" …)."""
    return row(scope, name).locator(".widget-html-content").nth(1).inner_text().lstrip("● ").strip()


def wait_row_state(scope: Locator, name: str, want: str | re.Pattern, timeout: float = 60.0) -> str:
    """Wait until ``name``'s row shows ``want`` (exact text or a pattern); return the state."""
    end = time.monotonic() + timeout
    state = ""
    while time.monotonic() < end:
        try:
            if row(scope, name).count():
                state = row_state(scope, name)
                ok = want.search(state) if isinstance(want, re.Pattern) else state == want
                if ok:
                    return state
        except PlaywrightTimeout:
            pass
        time.sleep(0.25)
    raise AssertionError(f"row {name!r} shows {state!r}, not {want!r}, after {timeout:.0f}s")
