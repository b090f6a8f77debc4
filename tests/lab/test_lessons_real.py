"""Every lesson runs top to bottom on the real lab (KVMLAB_URI=qemu:///system), and a learner's own
VM, network and pool survive all of them; `lab reset` then removes exactly the course's stand-ins.

nbval checks the lessons' outputs on the embedded lab; here only errors count (a cell tagged
raises-exception may raise), because a real host's outputs (ids, CPU times, boot timing) vary.
"""

from __future__ import annotations

from pathlib import Path

import libvirt
import nbformat
import pytest
from nbclient import NotebookClient

import kvmlab
import kvmlab.lab as lab
from kvmlab.lab.course import LAB_NAMES, PAUSED, RUNNING, SHUT_OFF


pytestmark = pytest.mark.reallab
LEARNER_VM, LEARNER_NET, LEARNER_POOL = "learner-vm", "learner-net", "learner-pool"  # as tests/lab/conftest.py

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def learner_view(v: libvirt.virConnect) -> dict:
    """The learner's three objects as they are: state and definition."""
    dom, net, pool = v.lookupByName(LEARNER_VM), v.networkLookupByName(LEARNER_NET), v.storagePoolLookupByName(LEARNER_POOL)
    return {"vm": (dom.state()[0], dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)),
            "net": (net.isActive(), net.XMLDesc(0)),
            "pool": (pool.isActive(), sorted(x.name() for x in pool.listAllVolumes(0)))}  # fmt: skip


@pytest.fixture(scope="module")
def lab_with_learner(real_lab, helpers, tmp_path_factory):
    conn = kvmlab.connect(real_lab)
    helpers.learner_objects(conn.virconn, str(tmp_path_factory.mktemp("learner-pool")))
    yield conn, learner_view(conn.virconn)
    helpers.remove_learner_objects(conn.virconn)
    conn.close()


def test_a_learners_web01_stops_course_host_before_it_changes_anything(real_lab):
    conn = kvmlab.connect(real_lab)
    v = conn.virconn
    lab.reset(real_lab)
    v.defineXML("<domain type='qemu'><name>web01</name><memory unit='MiB'>32</memory>"
                "<os><type arch='x86_64'>hvm</type></os></domain>")  # untagged: the learner's
    try:
        nets = sorted(n.name() for n in v.listAllNetworks(0))
        with pytest.raises(kvmlab.InvalidState) as info:
            lab.course_host(conn)
        assert "'web01' exists and is not the lab's" in str(info.value) and "domrename" in info.value.hint
        assert sorted(n.name() for n in v.listAllNetworks(0)) == nets
        assert [d.name() for d in v.listAllDomains(0) if d.name() in RUNNING + PAUSED + SHUT_OFF] == ["web01"]
    finally:
        v.lookupByName("web01").undefine()
        conn.close()


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_on_the_real_lab(lab_with_learner, lesson, monkeypatch):
    conn, learner_before = lab_with_learner
    monkeypatch.setenv("KVMLAB_URI", conn.uri)  # the kernel inherits it: kvmlab.connect() opens the real lab
    nb = nbformat.read(NOTEBOOKS / lesson, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()  # fmt: skip
    errors = [f"cell {i}: {o.ename}: {o.evalue}\n{c.source[:300]}" for i, c in enumerate(nb.cells)
              if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
              for o in c.get("outputs", []) if o.output_type == "error"]  # fmt: skip
    assert not errors, "\n\n".join(errors)
    first_code = next(c for c in nb.cells if c.cell_type == "code")  # the lesson's set-up cell
    first = "".join(o.get("text", "") for o in first_code.outputs)
    assert "backend:" in first and ("qemu" in first or lesson in ("00-glossary.ipynb", "02-user-kernel-mode.ipynb",
                                                                  "03-hardware-virtualization.ipynb"))  # fmt: skip
    assert learner_view(conn.virconn) == learner_before, f"{lesson} changed the learner's objects"


def test_course_stand_ins_are_the_labs_and_reset_removes_them(lab_with_learner):
    conn, learner_before = lab_with_learner
    v = conn.virconn
    host = lab.course_host(conn, progress=None)
    assert (host.nat, host.pool, host.can_start_networks) == ("kvmlab-nat", "kvmlab-pool", True)
    for name in RUNNING + PAUSED + SHUT_OFF:
        assert lab.is_owned(v.lookupByName(name))
    assert {d.name(): d.state()[0] for d in v.listAllDomains(0) if d.name() in RUNNING + PAUSED} == {
        "web01": libvirt.VIR_DOMAIN_RUNNING, "db01": libvirt.VIR_DOMAIN_RUNNING, "build": libvirt.VIR_DOMAIN_PAUSED}
    lab.reset(conn.uri)
    left = {d.name() for d in v.listAllDomains(0)} | {n.name() for n in v.listAllNetworks(0)} | {
        p.name() for p in v.listAllStoragePools(0)}
    assert not left & (set(RUNNING + PAUSED + SHUT_OFF) | set(LAB_NAMES.values()))
    assert learner_view(v) == learner_before
