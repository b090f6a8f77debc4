"""The app's one page: the lab's domains, networks and storage pools, and the forms, without code.

``lab_view(conn)`` is what kvmlab/app/dashboard.ipynb displays (Voilà shows outputs only): a
header naming the connection, then tabs holding the three dashboards and two forms. Every
widget is one of kvmlab.widgets, so each click shows the virsh command and the libvirt calls.
"""

from __future__ import annotations

from html import escape

import ipywidgets as W

__all__ = ["lab_view", "TABS"]

TABS = ("Virtual machines", "Networks", "Storage pools", "New VM", "New network")


def _header(conn) -> W.HTML:
    backend = conn.backend
    if backend == "embedded":
        what = ("the <b>embedded lab</b> (libvirt's test driver): a fresh, private lab on every page "
                "load; nothing on the host changes")  # fmt: skip
    else:
        what = f"<code>{escape(conn.uri)}</code>, a <b>{escape(backend)}</b> hypervisor: every click acts on it for real"
    return W.HTML(
        "<h2 style='margin:0 0 4px 0'>kvmlab: the lab at a glance</h2>"
        f"<div>Connected to {what}. Every button runs one virsh command through libvirt-python "
        "and shows both.</div>"
    )


def lab_view(conn=None, events: bool = True) -> W.VBox:
    """The dashboards (domains, networks, pools) and the forms (new VM, new network) in tabs.

    Args:
        conn: a kvmlab.Connection; ``None`` opens ``kvmlab.connect()`` ($KVMLAB_URI, else the
            embedded lab), after starting libvirt's event loop so the dashboards follow changes.
        events: refresh the dashboards on libvirt's lifecycle events.
    """
    from .. import connect
    from .. import widgets as kw

    if conn is None:
        if events:
            kw.start_events()  # before connect(): remote URIs hook into the loop when opened
        conn = connect()
    panels = [kw.Dashboard(conn, events=events), kw.NetworkDashboard(conn, events=events),
              kw.PoolDashboard(conn, events=events), kw.DomainForm(conn), kw.NetworkForm(conn)]  # fmt: skip
    tabs = W.Tab(children=panels)
    for i, title in enumerate(TABS):
        tabs.set_title(i, title)
    view = W.VBox([_header(conn), tabs])
    view.conn, view.tabs, view.panels = conn, tabs, dict(zip(TABS, panels))  # type: ignore[attr-defined]
    return view
