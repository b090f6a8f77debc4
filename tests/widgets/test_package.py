"""kvmlab.widgets as a package: lazy imports, an honest __all__, and widgets that never print."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kvmlab.widgets as widgets

from ..conftest import inventory


def test_importing_the_package_needs_no_ipywidgets():
    code = ("import sys, kvmlab, kvmlab.widgets, kvmlab.widgets.events; "
            "print('ipywidgets' in sys.modules); kvmlab.widgets.Dashboard; print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_all_names_resolve_and_are_documented():
    assert len(set(widgets.__all__)) == len(widgets.__all__)
    for name in widgets.__all__:
        obj = getattr(widgets, name)
        assert obj.__doc__, name
    assert set(widgets.__all__) <= set(dir(widgets))
    with pytest.raises(AttributeError):
        widgets.NoSuchWidget  # noqa: B018


def test_widgets_report_through_html_and_never_print(conn, capfd):
    """nbval compares printed output: a widget that printed would break every notebook using it."""
    form = widgets.DomainForm(conn)
    form.vcpus.value = -1
    form.define_button.click()  # an error …
    form.vcpus.value = 1
    form.define_button.click()  # … and a success
    dash = widgets.Dashboard(conn)
    dash.row("vm1").start_button.click()
    dash.row("vm1").start_button.click()
    editor = widgets.XmlEditor(conn, "vm1")
    editor.text.value = "<domain>"
    editor.apply_button.click()
    nets, pools, vols = widgets.NetworkDashboard(conn), widgets.PoolDashboard(conn), widgets.VolumePanel(conn)
    nets.row("default").start_button.click()
    pools.row("iso").start_button.click()
    vols.volumes.value = None
    before = inventory(conn)
    vols.delete_button.click()
    assert inventory(conn) == before and "pick a volume" in vols.status.value
    qb = widgets.QemuFlagsBuilder(conn)
    qb.command.value = "-m 12X"
    for w in (form, dash, editor, nets, pools, vols, qb):
        w.close()
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_text_repr_is_stable_for_nbval(conn):
    """nbval compares text/plain: the default repr lists UUIDs and CPU times, which change."""
    for name in ("DomainForm", "Dashboard", "XmlEditor", "NetworkForm", "NetworkDashboard", "PoolForm",
                 "PoolDashboard", "VolumePanel", "QemuFlagsBuilder"):
        w = getattr(widgets, name)(conn)
        try:
            assert repr(w) == f"<kvmlab.widgets.{name}>"
        finally:
            w.close()
