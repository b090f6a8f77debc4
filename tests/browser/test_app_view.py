"""kvmlab.app without a browser: the page's widgets, Voilà's arguments, the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("ipywidgets")

import kvmlab  # noqa: E402
from kvmlab import app  # noqa: E402
from kvmlab.app.view import TABS, lab_view  # noqa: E402


@pytest.fixture
def conn():
    c = kvmlab.connect(kvmlab.embedded_uri())
    yield c
    c.close()


def test_lab_view_has_the_dashboards_and_forms_on_the_connection(conn):
    view = lab_view(conn, events=False)
    assert [view.tabs.get_title(i) for i in range(len(view.tabs.children))] == list(TABS)
    domains = view.panels["Virtual machines"]
    assert domains.names == [d.name for d in conn.list(all=True).domains]
    assert view.panels["Networks"].names == conn.net_list(all=True).names
    assert sorted(view.panels["Storage pools"].names) == sorted(p.name for p in conn.pool_list(all=True).pools)
    domains.row("web01").suspend_button.click()  # the page's buttons act on libvirt
    assert {d.name: d.state for d in conn.list(all=True).domains}["web01"] == "paused"
    assert "embedded lab" in view.children[0].value


def test_the_dashboard_notebook_shows_only_the_view():
    nb = json.loads(app.DASHBOARD.read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) == 1 and "lab_view()" in code[0]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_voila_argv_strips_code_and_listens_where_asked():
    argv = app.voila_argv(port=9001, ip="127.0.0.1", token="s3")
    assert argv[0] == str(app.DASHBOARD)
    assert {"--port=9001", "--Voila.ip=127.0.0.1", "--strip_sources=True", "--no-browser",
            "--Voila.token=s3"} <= set(argv)  # fmt: skip
    assert "--no-browser" not in app.voila_argv(open_browser=True)


def test_module_command_line_help():
    p = subprocess.run([sys.executable, "-m", "kvmlab.app", "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "--port" in p.stdout and "--uri" in p.stdout


def test_without_voila_the_command_says_how_to_install_it():
    code = "import sys; sys.modules['voila'] = None; from kvmlab.app.cli import main; sys.exit(main([]))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert p.stderr.startswith("error: the app needs Voilà") and "pip install voila" in p.stderr
