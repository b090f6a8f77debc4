"""Lesson 11's serial console in a real browser, on a real guest: JupyterLab runs the lesson on the real
lab (KVMLAB_URI=qemu:///system), then a person's keys go into the xterm.js terminal of the lesson's
SerialConsole — Connect, type a command, read the guest's answer on the screen, leave with Ctrl-].

It needs the real lab (the embedded lab has no console). A lab that runs is used as it is; when none
runs and this is root (CI), the module brings it up and takes it down again afterwards.
"""

from __future__ import annotations

import os
import re
import time

import pytest

from .tools import require_browser

require_browser()

from playwright.sync_api import expect  # noqa: E402

from . import pages  # noqa: E402

pytestmark = [pytest.mark.timeout(900), pytest.mark.reallab]

LESSON = "notebooks/11-reaching-a-guest.ipynb"
GUEST = "kvmlab-reach"


@pytest.fixture(scope="module")
def real_uri():
    import kvmlab.lab as lab

    if os.geteuid() != 0:
        pytest.fail("the console's browser test needs the real lab, so root (CI is root)", pytrace=False)
    before = lab.mode()[0]
    if before == "down":
        st = lab.up()  # CI: nothing runs yet (tests/lab's fixture starts it later in the session)
        assert st.running, f"the real lab did not come up:\n{st}"
    yield lab.lab_uri()
    if before == "down" and lab.mode()[0] == "netns":
        lab.down()


@pytest.fixture(scope="module")
def lab_real(real_uri, tmp_path_factory):
    """JupyterLab whose kernels open the real lab."""
    from .notebooks import stage
    from .servers import jupyter_lab

    root, home = tmp_path_factory.mktemp("lab-root"), tmp_path_factory.mktemp("lab-home")
    files = stage(root)
    server = jupyter_lab(root, home, uri=real_uri)
    server.files = files  # type: ignore[attr-defined]
    yield server
    server.stop()
    assert server.leftovers() == [], "JupyterLab or its kernels outlived the test"


def _screen(console) -> str:
    """What the terminal shows: xterm.js draws its rows as DOM text (its default renderer)."""
    return console.locator(".xterm-rows").inner_text()


def _wait_screen(console, pattern: str, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < end:
        shown = _screen(console)
        if re.search(pattern, shown):
            return shown
        time.sleep(0.25)
    raise AssertionError(f"the terminal never showed {pattern!r}; it shows:\n{shown}")


def test_the_console_widget_types_into_the_guest(lab_real, page, artifacts):
    pages.open_notebook(page, lab_real.url(f"/lab/tree/{LESSON}"))
    pages.hide_file_browser(page)
    took = pages.run_all(page)
    print(f"{LESSON} on the real lab: ran all cells in {took:.1f}s")
    found = pages.problems(page, lab_real.files[LESSON])
    assert found.broken() == [], f"{LESSON} shows errors after Run All: {found.broken()}"

    console = page.locator(".kvmlab-console").first
    console.scroll_into_view_if_needed()
    status = console.locator(".kvmlab-console-status")
    # the lesson's last cell typed Ctrl-]: the terminal shows the whole session and says it is closed
    expect(status).to_contain_text("disconnected: you pressed Ctrl-]")
    # the last 24 lines (xterm.js draws them a moment after the status): the lesson's last commands, then the end
    shown = _wait_screen(console, r"\[disconnected: you pressed Ctrl-\]")
    assert "kvmlab# cat /proc/partitions" in shown
    assert "not connected" not in shown  # the terminal's own late answers are no keys
    page.screenshot(path=str(artifacts / "11-console-after-run-all.png"))

    console.get_by_role("button", name="Connect").click()  # as a learner would, to open it again
    expect(status).to_contain_text(f"connected: keys go to {GUEST}")
    console.locator(".xterm").click()  # focus the terminal
    page.keyboard.type("echo browser-$((6*7))")
    page.keyboard.press("Enter")
    _wait_screen(console, r"\nbrowser-42\s*\n")  # the guest's shell computed it
    page.keyboard.type("uname -n")
    page.keyboard.press("Enter")
    _wait_screen(console, rf"uname -n\s*\n{GUEST}\s*\n")
    console.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "11-console-typed.png"))

    page.keyboard.press("Control+BracketRight")  # virsh's escape key
    expect(status).to_contain_text("disconnected: you pressed Ctrl-]")
    _wait_screen(console, r"\[disconnected: you pressed Ctrl-\]")
    assert page.js_errors == [], page.js_errors
    page.screenshot(path=str(artifacts / "11-console-left.png"))
    lab_real.shutdown_kernels()
