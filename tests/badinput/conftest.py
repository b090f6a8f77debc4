"""The bad-input suite's harness: byte-exact runs of real virsh and `kvmlab virsh`, and the inventory.

Every case checks four things: no traceback, a KvmlabError from the API (never a bare TypeError,
ValueError or UnicodeError), virsh's exact bytes where real virsh is the reference, and the whole
inventory unchanged afterwards. Runs use bytes, never text: the inputs are not UTF-8 on purpose.
"""

from __future__ import annotations

import re
import subprocess

import pytest

import kvmlab

from ..conftest import KVMLAB, VIRSH

URI = "test:///default"
HINT_LINE = re.compile(rb"^kvmlab hint: .*\n", re.M)
CPU_TIME = re.compile(rb"^(CPU time:\s+)\S+$", re.M)  # differs run to run
BUG_TEXT = b"kvmlab bug"  # run_batch's last resort: these inputs must never reach it

# What test:///default holds, dumped in full: a batch that ends in these shows any change it made
DUMPS = ("list --all; net-list --all; pool-list --all; vol-list default-pool; "
         "dumpxml test; net-dumpxml default; pool-dumpxml default-pool")


def run(argv: list[str], stdin: bytes | None = None, timeout: int = 60) -> tuple[bytes, bytes, int]:
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)
    return p.stdout, p.stderr, p.returncode


def sane(result: tuple[bytes, bytes, int]) -> None:
    """No traceback, and the runner's last resort never reached."""
    _, err, _ = result
    assert b"Traceback" not in err, err.decode(errors="replace")
    assert BUG_TEXT not in err, err.decode(errors="replace")


def kvmlab_virsh(args: list[str], stdin: bytes | None = None) -> tuple[bytes, bytes, int]:
    """`kvmlab virsh` with these arguments; checked sane; kvmlab's hint lines removed."""
    out, err, rc = run([KVMLAB, "virsh", *args], stdin)
    sane((out, err, rc))
    return out, HINT_LINE.sub(b"", err), rc


def assert_virsh_same(args: list[str], stdin: bytes | None = None) -> tuple[bytes, bytes, int]:
    """Real virsh and `kvmlab virsh`, the same arguments and stdin: byte-identical stdout, stderr
    (kvmlab's hint lines aside) and exit code."""
    real = run([VIRSH, *args], stdin)
    ours = kvmlab_virsh(args, stdin)
    real, ours = (CPU_TIME.sub(rb"\1-", real[0]), *real[1:]), (CPU_TIME.sub(rb"\1-", ours[0]), *ours[1:])
    assert ours[0] == real[0], f"stdout differs for {args!r}:\n{ours[0]!r}\n{real[0]!r}"
    assert ours[1] == real[1], f"stderr differs for {args!r}:\n{ours[1]!r}\n{real[1]!r}"
    assert ours[2] == real[2], f"exit code differs for {args!r}"
    return ours


def assert_batch_unchanged(batch: str) -> tuple[bytes, bytes, int]:
    """``batch; DUMPS`` is virsh's bytes, and its dumps are those of an untouched host."""
    ours = assert_virsh_same(["-c", URI, f"{batch}; {DUMPS}"])
    untouched = kvmlab_virsh(["-c", URI, DUMPS])[0]
    assert ours[0].endswith(untouched), f"{batch!r} changed the host"
    return ours


def full_inventory(c) -> dict:
    """Every domain, network, pool and volume of ``c`` with its state and XML."""
    v = c.virconn
    pools = v.listAllStoragePools(0)
    return {
        "domains": sorted((d.name(), d.state()[0], d.isPersistent(), d.autostart() if d.isPersistent() else None,
                           d.XMLDesc(0)) for d in v.listAllDomains(0)),
        "networks": sorted((n.name(), n.isActive(), n.autostart(), n.XMLDesc(0)) for n in v.listAllNetworks(0)),
        "pools": sorted((p.name(), p.isActive(), p.autostart(), p.XMLDesc(0)) for p in pools),
        "volumes": sorted((p.name(), vol.name(), vol.XMLDesc(0)) for p in pools if p.isActive()
                          for vol in p.listAllVolumes(0)),
        "snapshots": sorted((d.name(), s.getName(), s.isCurrent(0)) for d in v.listAllDomains(0)
                            for s in d.listAllSnapshots(0)),
    }


@pytest.fixture
def lab():
    """A fresh embedded lab; its whole inventory must be the same when the test ends."""
    c = kvmlab.connect(kvmlab.embedded_uri())
    before = full_inventory(c)
    yield c
    assert full_inventory(c) == before, "the bad input changed the inventory"
    c.close()


@pytest.fixture
def default_host():
    """test:///default in this process (the host real virsh runs on), checked unchanged at the end."""
    c = kvmlab.connect(URI)
    before = full_inventory(c)
    yield c
    assert full_inventory(c) == before, "the bad input changed the inventory"
    c.close()


def refused(call, cls=kvmlab.KvmlabError) -> kvmlab.KvmlabError:
    """``call()`` raises a KvmlabError subclass (``cls``) with a hint; never anything else."""
    try:
        call()
    except kvmlab.KvmlabError as err:
        assert isinstance(err, cls), f"{type(err).__name__} is not {cls.__name__}: {err}"
        assert err.hint, f"no hint for {err.message!r}"
        return err
    except Exception as exc:  # noqa: BLE001 - the point of the suite
        pytest.fail(f"bare {type(exc).__name__}: {exc}")
    pytest.fail("accepted")


def virsh_lines(stderr: bytes) -> list[str]:
    """The messages after virsh's ``error: `` prefixes, as the API's ``virsh_error`` holds them."""
    text = stderr.decode("utf-8", "surrogateescape")
    return [block.rstrip("\n") for block in re.split(r"(?m)^error: ", text) if block.strip()]
