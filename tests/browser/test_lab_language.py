"""`./kvmlab.sh course zh`: JupyterLab's own menus in Chinese, from the zh_CN language pack and the one
settings file the script writes (read from the script itself, so the test and the script cannot drift)."""

from __future__ import annotations

import re
from importlib.metadata import entry_points

import pytest

from .notebooks import ROOT
from .tools import require_browser

require_browser()

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.timeout(600)


def course_zh_settings() -> dict[str, str]:
    """The settings file `./kvmlab.sh course zh` writes: its path under the settings dir and its text."""
    script = (ROOT / "kvmlab.sh").read_text()
    text = re.search(r"printf '%s\\n' '(\{[^']*\})' > \"\$settings/([^\"]+)\"", script)
    assert text, "kvmlab.sh course zh no longer writes the language setting as this test expects"
    return {text.group(2): text.group(1)}


def test_the_language_pack_is_installed_with_the_course():
    assert "zh_CN" in {e.name for e in entry_points(group="jupyterlab.languagepack")}
    assert course_zh_settings() == {
        "@jupyterlab/translation-extension/plugin.jupyterlab-settings": '{"locale": "zh_CN"}'}


def test_course_zh_opens_jupyterlab_in_chinese(browser, artifacts, tmp_path):
    from .servers import jupyter_lab

    root, home = tmp_path / "root", tmp_path / "home"
    root.mkdir()
    server = jupyter_lab(root, home, settings=course_zh_settings())
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(server.url("/lab"))
        menu = page.locator("#jp-menu-panel, .lm-MenuBar-content").first
        expect(menu).to_contain_text("文件")  # File
        expect(menu).to_contain_text("编辑")  # Edit
        assert "File" not in menu.inner_text()
        page.screenshot(path=str(artifacts / "jupyterlab-zh.png"))
    finally:
        context.close()
        server.stop()
    assert server.leftovers() == []


def _run_all_with_a_chinese_kernel(browser, tmp_path, rel: str):
    """JupyterLab on a copy of notebook ``rel`` with `./kvmlab.sh course zh`'s locale for the kernel
    (LANG=zh_CN.UTF-8; JupyterLab's menus stay English so the page helpers find them), opened and Run All.
    Returns the server, the browser context and the page; the caller closes them."""
    import shutil

    from . import pages
    from .servers import jupyter_lab

    root, home = tmp_path / "root", tmp_path / "home"
    (root / rel).parent.mkdir(parents=True)
    shutil.copy(ROOT / rel, root / rel)
    english_menus = {"@jupyterlab/translation-extension/plugin.jupyterlab-settings": '{"locale": "en"}'}
    server = jupyter_lab(root, home, settings=english_menus,
                         env={"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""})
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        pages.open_notebook(page, server.url(f"/lab/tree/{rel}"))
        pages.hide_file_browser(page)
        pages.run_all(page)
    except BaseException:
        context.close()
        server.stop()
        raise
    return server, context, page


def test_a_wrong_answer_in_the_chinese_exercise_shows_a_chinese_hint(browser, artifacts, tmp_path):
    """The zh edition of exercise 1 with `./kvmlab.sh course zh`'s locale for the kernel (LANG=zh_CN.UTF-8;
    JupyterLab's menus stay English here so the page helpers find them): Run All leaves the learner's TODO
    answers, and each check's hint reads Chinese."""
    from . import pages

    server, context, page = _run_all_with_a_chinese_kernel(browser, tmp_path, "exercises/zh/01-tools.ipynb")
    try:
        failed = page.locator(pages.OUTPUT).filter(has_text="还没对").first  # "not yet": the check failed
        expect(failed).to_contain_text("提示")  # the hint's own label, in Chinese
        expect(failed).to_contain_text("show_answer(\"1.1\")")  # and the ladder's next step
        failed.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "zh-exercise-01-hint.png"))
    finally:
        context.close()
        server.stop()
    assert server.leftovers() == []


def test_a_form_in_the_chinese_lesson_has_chinese_labels(browser, artifacts, tmp_path):
    """The zh edition of lesson 8 with `./kvmlab.sh course zh`'s locale for the kernel (JupyterLab's menus
    stay English so the page helpers find them): after Run All, the DomainForm's fields and buttons carry
    kvmlab's Chinese labels (the catalog's, looked up here)."""
    import kvmlab
    from kvmlab import i18n

    from . import pages

    kvmlab.set_language("zh")
    try:
        labels = {english: i18n._(english) for english in ("name", "memory", "network")}
        buttons = {english: i18n._(english) for english in ("Define", "Create")}
        zh_hint = i18n._("hint")
    finally:
        kvmlab.set_language(None)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in [*labels.values(), *buttons.values()]), (
        labels, buttons)

    server, context, page = _run_all_with_a_chinese_kernel(browser, tmp_path, "notebooks/zh/08-managing-vms.ipynb")
    try:
        form = page.locator(".widget-vbox").filter(has=page.get_by_role("button", name=buttons["Define"])).last
        for english, chinese in labels.items():
            expect(form.locator("label.widget-label", has_text=chinese).first).to_be_visible()
        for english, chinese in buttons.items():
            expect(form.get_by_role("button", name=chinese)).to_be_visible()
        assert "Define" not in form.inner_text()
        form.evaluate("e => e.scrollIntoView({block: 'start'})")  # the fields first, then the buttons
        box = form.bounding_box()
        page.screenshot(path=str(artifacts / "zh-lesson-08-domain-form.png"),
                        clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": min(box["height"], 520)})
        page.screenshot(path=str(artifacts / "zh-lesson-08-page.png"))
        # a wrong entry: no RAM. The form's teaching error is kvmlab's Chinese; virsh's line libvirt's
        pages.fill_int(form, labels["memory"], 0)
        pages.button(form, buttons["Define"]).click()
        error = form.locator(".kvmlab-error").last
        expect(error).to_contain_text("错误：")  # virsh's "error:" in libvirt's Chinese
        expect(error).to_contain_text(zh_hint)  # kvmlab's own hint label
        expect(form).to_contain_text("<memory> 是 0")  # the spec's problem, in Chinese
        error.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "zh-lesson-08-form-error.png"))
    finally:
        context.close()
        server.stop()
    assert server.leftovers() == []
