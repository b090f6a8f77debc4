"""Start-up is imports: `import kvmlab` and `kvmlab virsh list` load only what they use.

Each case runs in a fresh interpreter and reads ``sys.modules`` at the end, so a top-level import
added anywhere on the path (lxml, libvirt's schema index, the widgets, the editor) fails here
instead of silently slowing every `kvmlab virsh` down (bench/cold_start.py measures the time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kvmlab

# the probe runs the very kvmlab these tests import, wherever it was found
_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(Path(kvmlab.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}

# Never needed to list, inspect or change state: the XML toolchain, the schemas, the UI, the editor.
HEAVY = (
    "lxml",
    "kvmlab.specs.rng_index",
    "kvmlab.specs.rng",
    "kvmlab.specs.validate",
    "kvmlab.specs.guard",
    "kvmlab.widgets",
    "kvmlab.ops.define",
    "kvmlab.ops.editor",
    "kvmlab.cli",  # the library never loads the command line
    "subprocess",
    "ipaddress",
    # standard modules only some commands need: a console's thread, a snapshot's html, a file's path
    "threading",
    "html",
    "pathlib",
)

VIRSH = "from kvmlab.cli.main import main; main(['virsh', '-c', 'test:///default', {line!r}])"


def _loaded_after(code: str) -> tuple[set[str], str]:
    """The modules loaded once ``code`` ran in a fresh interpreter, and what it printed."""
    probe = f"{code}\nimport json, sys\nprint('\\n' + json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=_ENV)
    assert done.returncode == 0, done.stderr
    out, _, modules = done.stdout.rpartition("\n" + "[")
    return set(json.loads("[" + modules)), out


def _heavy(modules: set[str], allowed: tuple[str, ...] = ()) -> list[str]:
    return sorted(m for m in modules for h in HEAVY
                  if (m == h or m.startswith(h + ".")) and h not in allowed)


def test_import_kvmlab_is_light():
    modules, _ = _loaded_after("import kvmlab")
    assert _heavy(modules) == []
    assert "kvmlab.connection" not in modules  # its names load on first use (PEP 562)


@pytest.mark.parametrize("line", ["list --all", "dominfo test; suspend test; resume test",
                                  "net-list --all; net-info default", "pool-info default-pool; vol-list default-pool",
                                  "dumpxml test"])
def test_virsh_commands_load_no_xml_toolchain(line):
    modules, out = _loaded_after(VIRSH.format(line=line))
    assert out.strip()  # the commands ran and printed
    assert _heavy(modules, allowed=("kvmlab.cli",)) == []


def test_virsh_list_loads_only_the_domain_results():
    # each family's results (dataclasses, built at import) load with its first command
    modules, _ = _loaded_after(VIRSH.format(line="list --all"))
    assert "kvmlab.ops.domain_results" in modules
    assert {"kvmlab.ops.network_results", "kvmlab.ops.pool_results", "kvmlab.ops.volume_results",
            "kvmlab.ops.monitor_results", "kvmlab.ops.snapshot_results", "kvmlab.ops.snapshot_xml",
            "kvmlab.ops.console_session"} & modules == set()


def test_results_moved_out_still_import_from_their_operations():
    # the results live in *_results (loaded on first use); the operations' modules still export them
    modules, out = _loaded_after(
        "from kvmlab.ops.domain_ids import DomainState\nfrom kvmlab.ops.network_leases import LeaseList\n"
        "from kvmlab.ops.console import ConsoleSession\nfrom kvmlab.ops.volume_transfer import VolTransfer\n"
        "from kvmlab.ops.domain_devices import DiskList\nfrom kvmlab.ops.domain_address import IfAddresses\n"
        "print(DomainState.__module__, LeaseList.__module__, ConsoleSession.__module__, VolTransfer.__module__, "
        "DiskList.__module__, IfAddresses.__module__)")
    assert out.split() == ["kvmlab.ops.monitor_results", "kvmlab.ops.network_results", "kvmlab.ops.console_session",
                           "kvmlab.ops.volume_results", "kvmlab.ops.monitor_results", "kvmlab.ops.monitor_results"]
    assert "threading" in modules  # the console's session brings its thread along


def test_library_ops_load_no_xml_toolchain():
    modules, out = _loaded_after("import kvmlab\nc = kvmlab.connect('test:///default')\n"
                                 "print(c.list(all=True)); print(c.dominfo('test')); print(c.net_info('default'))")
    assert " 1    test   running" in out
    assert _heavy(modules) == []


def test_the_probe_sees_a_lazy_import_when_it_happens():
    # the control: an --xpath does need lxml, and the same probe finds it loaded
    modules, out = _loaded_after(VIRSH.format(line="dumpxml test --xpath /domain/name"))
    assert out.strip() == "<name>test</name>"
    assert "lxml.etree" in modules and "kvmlab.ops.xpath_nodes" in modules


def test_virsh_list_loads_only_the_list_operation():
    # Connection takes each operation from its mixin's module on first use: `list` loads ops/domain.py,
    # not the other domain, network, pool, volume or snapshot operations
    modules, _ = _loaded_after(VIRSH.format(line="list --all"))
    assert "kvmlab.ops.domain" in modules
    assert {"kvmlab.ops.domain_define", "kvmlab.ops.domain_lifecycle", "kvmlab.ops.domain_clone",
            "kvmlab.ops.domain_hotplug", "kvmlab.ops.domain_resources", "kvmlab.ops.domain_undefine",
            "kvmlab.ops.console", "kvmlab.ops.network", "kvmlab.ops.pool", "kvmlab.ops.pool_edit",
            "kvmlab.ops.volume", "kvmlab.ops.volume_transfer", "kvmlab.ops.snapshot"} & modules == set()


def test_an_operation_loads_with_its_first_use():
    modules, out = _loaded_after(
        "import sys, kvmlab\nfrom kvmlab.connection import Connection\n"
        "print('list' in dir(Connection), 'kvmlab.ops.domain_lifecycle' in sys.modules)\n"
        "c = kvmlab.connect('test:///default')\nprint(c.suspend('test')); print(Connection.resume.__name__)")
    assert out.split("\n")[:3] == ["True False", "Domain 'test' suspended", ""]
    assert out.split()[-1] == "resume"
    assert "kvmlab.ops.domain_lifecycle" in modules and "kvmlab.ops.network" not in modules


def test_the_operation_table_is_every_mixin_attribute():
    # connection._MIXINS names each mixin's own attributes: an operation added to a mixin must be listed
    import importlib

    from kvmlab import connection

    for home, names in connection._MIXINS.items():
        module, cls_name = home.split(":")
        mixin = getattr(importlib.import_module(f"kvmlab.{module}"), cls_name)
        own = [n for n in vars(mixin) if not (n.startswith("__") and n.endswith("__"))]
        assert sorted(own) == sorted(names), home
        assert mixin.__bases__ == (object,), home  # a mixin of mixins would load them all at once
    assert len(connection._OP_HOME) == sum(map(len, connection._MIXINS.values()))  # no name twice
    public = [n for n in dir(connection.Connection) if not n.startswith("_")]
    assert {"list", "dominfo", "net_info", "vol_upload", "snapshot_create_as", "virsh", "close"} <= set(public)


def test_a_connection_lists_every_operation_before_its_first_use():
    # dir(conn) (a notebook's completion of `conn.`) names the operations whose modules are not loaded yet
    _, out = _loaded_after("import sys, kvmlab\nc = kvmlab.connect('test:///default')\n"
                           "print('vol_upload' in dir(c), 'uri' in dir(c), 'kvmlab.ops.volume_transfer' in sys.modules)")
    assert out.split() == ["True", "True", "False"]


def test_virsh_defers_what_the_dataclasses_import():
    # the command line stands in for inspect and copy until one is used (a class without a docstring,
    # asdict); the .virsh line's shlex loads when it is read
    modules, out = _loaded_after(VIRSH.format(line="list --all") + "\nimport sys\n"
                                 "print(type(sys.modules['inspect']).__name__, type(sys.modules['copy']).__name__)")
    assert out.split()[-2:] == ["Deferred", "Deferred"]
    assert {"ast", "dis", "tokenize", "shlex"} & modules == set()


def test_a_c_locale_reads_no_catalog():
    # C.UTF-8 is C to glibc's gettext: no catalog, so neither gettext nor locale is imported to find none;
    # LANGUAGE still counts under C.UTF-8 (glibc ignores it only under plain C)
    from kvmlab.render.l10n import env_languages

    assert env_languages((None, None, None, "C.UTF-8")) == []
    assert env_languages((None, "C.utf8", None, "zh_CN.UTF-8")) == []
    assert env_languages(("zh_CN", None, None, "C.UTF-8")) == ["zh_CN"]
    assert env_languages((None, None, None, "zh_CN.UTF-8")) == ["zh_CN.UTF-8"]


def test_a_deferred_module_works_once_used():
    _, out = _loaded_after("from kvmlab.cli.main import defer_imports\ndefer_imports()\n"
                           "import dataclasses, copy, sys\n"
                           "print(dataclasses.asdict(dataclasses.make_dataclass('P', ['x'])([1])), "
                           "copy.copy([2]), type(sys.modules['copy']).__name__, "
                           "dataclasses.inspect.signature(defer_imports))")
    assert out.strip() == "{'x': [1]} [2] module (names: 'Sequence[str]' = ('inspect', 'copy')) -> 'None'"


def test_virsh_list_loads_only_its_command_table():
    modules, _ = _loaded_after(VIRSH.format(line="list --all"))
    assert "kvmlab.virsh.commands_domain" in modules
    assert {"kvmlab.virsh.commands_hotplug", "kvmlab.virsh.commands_network", "kvmlab.virsh.commands_pool",
            "kvmlab.virsh.commands_snapshot", "kvmlab.virsh.commands_volume"} & modules == set()


def test_the_command_families_are_the_tables_own():
    # run._FAMILIES names each table's commands in its order; listing COMMANDS loads them all, in that order
    import importlib

    from kvmlab.virsh import run

    for family, names in run._FAMILIES.items():
        table = importlib.import_module(f"kvmlab.virsh.{family}").COMMANDS
        assert tuple(c.name for c in table) == names, family
    listed = [n for names in run._FAMILIES.values() for n in names]
    assert list(run.COMMANDS) == [*listed, *run.QUIT_COMMANDS, "help"]
    assert all(run.COMMANDS[n].name == n for n in run.COMMANDS) and "no-such" not in run.COMMANDS
