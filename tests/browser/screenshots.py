"""The README's pictures: ``python -m tests.browser.screenshots [DIR]`` writes course.png and app.png.

JupyterLab on the VM lesson (the generated widget notebook if the lesson is missing), all cells
run, a VM defined through the DomainForm and started from the dashboard, the dashboard's output
opened beside the notebook (JupyterLab's "Create New View for Cell Output"), then the window
saved as a small PNG (downscaled, 256 colours). app.png is the kvmlab app (Voilà) after a click.
Not a test: it writes docs/screenshots/.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import pages
from .notebooks import GENERATED, LESSON_VMS, ROOT, stage
from .servers import jupyter_lab
from .tools import CHROMIUM, missing

__all__ = ["course", "app", "shrink"]

OUT = ROOT / "docs" / "screenshots"


def shrink(path: Path, width: int = 1280, colours: int = 256) -> None:
    """Downscale to ``width`` and quantize, so the PNG stays small enough for a repository."""
    from PIL import Image

    img = Image.open(path).convert("RGB")
    if img.width > width:
        img = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
    img.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


def course(out: Path = OUT / "course.png") -> Path:
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root, home = Path(tmp, "root"), Path(tmp, "home")
        root.mkdir(), home.mkdir()
        files = stage(root)
        rel = LESSON_VMS if LESSON_VMS in files else GENERATED
        server = jupyter_lab(root, home)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1600, "height": 1300})
                pages.open_notebook(page, server.url(f"/lab/tree/{rel}"))
                pages.hide_file_browser(page)
                pages.run_all(page)
                form = pages.output_with(page, "virsh define receives")
                pages.fill_text(form, "name", "web02")
                pages.fill_int(form, "memory", 1)
                form.get_by_role("combobox").first.select_option("GiB")
                expect(form.locator("pre").first).to_contain_text('<memory unit="GiB">1</memory>')
                pages.button(form, "Define").click()
                expect(form).to_contain_text("Domain 'web02' defined")
                cell = pages.add_cell(page, "from kvmlab.widgets import Dashboard; Dashboard(conn)")
                dash = cell.locator(pages.OUTPUT).filter(has_text="Domains (virsh list --all)").last
                pages.button(pages.row(dash, "web02"), "start").click()
                pages.wait_row_state(dash, "web02", "running")
                dash.click(button="right", position={"x": 5, "y": 5})
                page.get_by_role("menuitem", name="Create New View for Cell Output").click()
                view = page.locator(".jp-LinkedOutputView").last
                expect(view).to_contain_text("web02")
                form.evaluate("el => el.scrollIntoView({block: 'start'})")  # the form's top at the top
                page.mouse.move(0, 0)
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out))
                browser.close()
        finally:
            server.stop()
    shrink(out)
    return out


def app(out: Path = OUT / "app.png") -> Path:
    from playwright.sync_api import expect, sync_playwright

    from .servers import voila

    with tempfile.TemporaryDirectory() as tmp:
        server = voila(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto(server.url("/"))
                expect(page.get_by_text("kvmlab: the lab at a glance")).to_be_visible(timeout=180_000)
                domains = pages.output_with(page, "Domains (virsh list --all)")
                pages.button(pages.row(domains, "web01"), "suspend").click()
                pages.wait_row_state(domains, "web01", "paused")
                page.mouse.move(0, 0)
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out))
                browser.close()
        finally:
            server.stop()
    shrink(out)
    return out


if __name__ == "__main__":
    if missing():
        sys.exit(f"cannot take screenshots: {missing()}")
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(course(where / "course.png"))
    print(app(where / "app.png"))
