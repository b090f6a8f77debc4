"""The public API: an explicit, tested __all__, and an import that stays light."""

import subprocess
import sys

import kvmlab


def test_all_names_exist_and_are_documented():
    assert len(set(kvmlab.__all__)) == len(kvmlab.__all__)
    for name in kvmlab.__all__:
        obj = getattr(kvmlab, name)
        assert obj.__doc__, f"kvmlab.{name} has no docstring"


def test_all_is_what_the_package_exports():
    public = {n for n in dir(kvmlab) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(kvmlab, n)).__name__ == "module"}
    assert public - modules == set(kvmlab.__all__)


def test_the_spec_exports_are_the_specs_own_list():
    import kvmlab.specs

    assert [n for n in kvmlab.__all__ if n in kvmlab.specs.__all__] == kvmlab.specs.__all__
    assert set(kvmlab.specs.__all__) <= set(kvmlab.__all__)


def test_lazy_names_load_on_first_use():
    code = ("import sys, kvmlab; before = 'kvmlab.specs.domain' in sys.modules; kvmlab.DomainSpec; "
            "print(before, 'kvmlab.specs.domain' in sys.modules, kvmlab.DomainSpec.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "kvmlab.specs.domain"]


def test_every_error_is_a_kvmlab_error():
    errors = [getattr(kvmlab, n) for n in kvmlab.__all__ if n.endswith("Error") or n in
              ("NotFound", "InvalidState", "InvalidInput", "OperationFailed", "Unsupported", "ConnectionFailed")]
    assert len(errors) >= 8
    for cls in errors:
        assert issubclass(cls, kvmlab.KvmlabError)


def test_import_needs_no_widgets_or_jupyter():
    code = "import sys, kvmlab; print(sorted(m for m in ('ipywidgets', 'IPython', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_libvirt_errors_never_reach_raw_stderr():
    """libvirt's default handler prints to fd 2 and breaks nbval; kvmlab replaces it."""
    code = (
        "import kvmlab\n"
        "c = kvmlab.connect()\n"
        "try:\n"
        "    c.virconn.lookupByName('no-such-vm')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stdout.strip() == "libvirtError"
    assert p.stderr == ""


def test_connect_failure_teaches():
    import pytest

    with pytest.raises(kvmlab.ConnectionFailed) as info:
        kvmlab.connect("test:///no/such/node-file.xml")
    assert "kvmlab doctor" in info.value.hint
    assert info.value.virsh_error[0] == "failed to connect to the hypervisor"


def test_embedded_lab_is_a_small_believable_host(conn):
    v = conn.virconn
    states = {d.name(): d.state()[0] for d in v.listAllDomains(0)}
    import libvirt

    assert set(states.values()) >= {libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_PAUSED, libvirt.VIR_DOMAIN_SHUTOFF}
    nets = {n.name(): bool(n.isActive()) for n in v.listAllNetworks(0)}
    assert True in nets.values() and False in nets.values()
    pools = {p.name(): p for p in v.listAllStoragePools(0)}
    assert any(p.isActive() and p.numOfVolumes() > 0 for p in pools.values())
    assert conn.backend == "embedded"


def test_each_embedded_open_is_fresh_and_private():
    a, b = kvmlab.connect(), kvmlab.connect()
    a.virconn.lookupByName("web01").destroy()
    import libvirt

    assert b.virconn.lookupByName("web01").state()[0] == libvirt.VIR_DOMAIN_RUNNING
    a.close(), b.close()
    c = kvmlab.connect()
    assert c.virconn.lookupByName("web01").state()[0] == libvirt.VIR_DOMAIN_RUNNING
    c.close()


def test_kvmlab_uri_overrides_the_default(monkeypatch):
    monkeypatch.setenv("KVMLAB_URI", "test:///default")
    with kvmlab.connect() as c:
        assert c.uri == "test:///default"
        assert c.virconn.lookupByName("test")
