"""Small helpers for the widget tests."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 20.0) -> bool:
    """Wait until ``predicate()`` is true (events arrive on another thread); False on timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


def domain_state(conn, name: str) -> str:
    """The state of one domain as `virsh list --all` shows it, straight from libvirt."""
    return {d.name: d.state for d in conn.list(all=True).domains}[name]


def shows(html_value: str, text: str) -> bool:
    """Does a widget's HTML show ``text`` (HTML-escaped, as the widgets write it)?"""
    from html import escape

    return escape(text) in html_value


def twin():
    """A second, fresh embedded lab: run the same operation there to know what the widget should show."""
    import kvmlab

    return kvmlab.connect(kvmlab.embedded_uri())
