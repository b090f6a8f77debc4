"""SpecForm, the base of the three forms: one check per click, and the operation's own virsh line
shown on success and on failure (never a line the widget makes up)."""

from __future__ import annotations

import re
from html import unescape

import pytest

import kvmlab.ops.define as define
from kvmlab.specs import parser
from kvmlab.widgets import DomainForm, NetworkForm, PoolForm
from kvmlab.widgets.spec_form import SpecForm

from ..conftest import inventory
from .helpers import shows, twin

FORMS = [DomainForm, NetworkForm, PoolForm]


@pytest.fixture(params=FORMS, ids=lambda f: f.__name__)
def form(conn, request):
    f = request.param(conn)
    yield f
    f.close()


def _count(monkeypatch, owner, name) -> list:
    """Count the calls of a real function (it still runs)."""
    calls: list = []
    real = getattr(owner, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def test_the_three_forms_share_the_base():
    assert all(issubclass(f, SpecForm) for f in FORMS)


def test_one_click_parses_and_checks_the_xml_once(conn, monkeypatch, form):
    parses = _count(monkeypatch, parser, "xml_parser")
    checks = _count(monkeypatch, define, "validate_xml")
    guards = _count(monkeypatch, define, "guard_xml")
    form.define_button.click()
    assert "kvmlab-error" not in form.status.value
    assert (len(parses), len(checks), len(guards)) == (1, 1, 0)


def test_success_shows_the_operations_line(conn, form):
    op = {"domain": "define", "network": "net_define", "pool": "pool_define"}[form.KIND]
    with twin() as other:
        expected = getattr(other, op)(form.spec())
    form.define_button.click()
    assert shows(form.status.value, expected.virsh)
    assert expected.virsh == f"virsh {form.DEFINE} {form.name.value}.xml"


def test_failure_shows_the_operations_line_not_a_made_up_one(conn, form):
    form.name.value = "default" if form.KIND != "domain" else "web01"  # taken: libvirt refuses the define
    op = {"domain": "define", "network": "net_define", "pool": "pool_define"}[form.KIND]
    with twin() as other, pytest.raises(Exception) as refused:
        getattr(other, op)(form.spec())
    before = inventory(conn)
    form.define_button.click()
    assert inventory(conn) == before
    assert "kvmlab-error" in form.status.value
    assert refused.value.virsh == f"virsh {form.DEFINE} {form.name.value}.xml"
    assert _shown_line(form) == refused.value.virsh  # the op's own line, where the widget names it


def test_a_refused_spec_shows_the_operations_line(conn, form):
    form.name.value = ""  # no <name>: spec.validate() refuses it, so does the operation
    before = inventory(conn)
    form.define_button.click()
    assert inventory(conn) == before
    assert shows(form.status.value, "no <name>")
    assert _shown_line(form) == f"virsh {form.DEFINE} {form.KIND}.xml"  # nothing named: KIND.xml


def test_a_field_that_is_no_value_shows_the_line_the_op_would_record(conn):
    form = DomainForm(conn)
    form.name.value, form.memory.value = "m1", -3  # the spec cannot even be built
    form.create_button.click()
    assert shows(form.status.value, "is not a size") and _shown_line(form) == "virsh create m1.xml"
    form.close()


def _shown_line(form) -> str:
    """The virsh line the status names on failure (``virsh: <code>…</code>``)."""
    m = re.search(r"<b>virsh:</b> <code>(.*?)</code>", form.status.value)
    return unescape(m.group(1)) if m else ""
