"""QEMU flags <-> domain XML: the mapping, its round trips, QEMU's own error lines, and libvirt's
own translation (domxml-to-native on the real lab) as the referee."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess

import pytest

import kvmlab
from kvmlab import InvalidInput, KvmlabError
from kvmlab.concepts.qemuflags import flag_pairs, flags_to_spec, spec_to_flags
from kvmlab.specs import DomainSpec

QEMU = shutil.which("qemu-system-x86_64")
IMG = "/var/lib/libvirt/images"


def test_the_docstring_example():
    spec = flags_to_spec("qemu-system-x86_64 -enable-kvm -m 1G -smp 2 -hda vm1.qcow2")
    assert (spec.type, spec.memory, spec.vcpus, spec.arch) == ("kvm", 1024 * 1024, 2, "x86_64")
    (disk,) = spec.disks
    assert (disk.path, disk.target, disk.bus, disk.device, disk.format) == ("vm1.qcow2", "hda", "ide", "disk", None)
    assert spec_to_flags(spec) == ["qemu-system-x86_64", "-enable-kvm", "-m", "1024", "-smp", "2", "-hda", "vm1.qcow2"]


@pytest.mark.parametrize("value, kib", [
    ("1024", 1024 * 1024), ("1G", 1024 * 1024), ("1024M", 1024 * 1024), ("2g", 2 * 1024 * 1024),
    ("524288k", 512 * 1024), ("size=768M", 768 * 1024), ("1536", 1536 * 1024), ("1025k", 1025),
    ("1.5G", 1536 * 1024), ("0x400", 1024 * 1024), ("1073741824B", 1024 * 1024), ("1P", 1024**4), ("2E", 2 * 1024**5),
])  # fmt: skip
def test_m_counts_mib_and_memory_counts_kib(value, kib):
    spec = flags_to_spec(["-m", value])
    assert spec.memory == kib
    back = spec_to_flags(spec)
    assert flags_to_spec(back).memory == kib  # whatever spelling comes back means the same size


@pytest.mark.parametrize("value, cpus", [("2", 2), ("cpus=4", 4), ("4,sockets=2,cores=2", 4),
                                         ("sockets=2,cores=2,threads=2", 8)])
def test_smp(value, cpus):
    assert flags_to_spec(["-smp", value]).vcpus == cpus


def test_drive_options():
    spec = flags_to_spec(["-drive", "file=/srv/a,,b.qcow2,if=virtio,format=qcow2",
                          "-drive", "file=/srv/d.iso,media=cdrom", "-drive", "file=/srv/s.raw,if=scsi,readonly=on"])
    a, d, s = spec.disks
    assert (a.path, a.bus, a.target, a.format, a.readonly) == ("/srv/a,b.qcow2", "virtio", "vda", "qcow2", False)
    assert (d.device, d.bus, d.readonly) == ("cdrom", "ide", True)
    assert (s.bus, s.target, s.readonly) == ("scsi", "sda", True)
    assert "file=/srv/a,,b.qcow2,if=virtio,format=qcow2" in spec_to_flags(spec)


@pytest.mark.parametrize("argv, boot", [
    ([], ["hd"]), (["-boot", "d"], ["cdrom"]), (["-boot", "order=dc"], ["cdrom", "hd"]),
    (["-boot", "order=nc,menu=on"], ["network", "hd"]),
])  # fmt: skip
def test_boot_letters(argv, boot):
    assert flags_to_spec(argv).boot == boot


@pytest.mark.parametrize("argv, domain_type", [
    ("qemu-system-x86_64 -m 512", "qemu"), ("qemu-system-x86_64 -enable-kvm", "kvm"),
    ("qemu-kvm -m 512", "kvm"), ("/usr/libexec/qemu-kvm", "kvm"), ("-accel kvm", "kvm"),
    ("-accel tcg", "qemu"), ("-machine q35,accel=kvm:tcg", "kvm"), ("--enable-kvm", "kvm"),
])  # fmt: skip
def test_kvm_or_tcg(argv, domain_type):
    assert flags_to_spec(argv).type == domain_type


def test_program_name_gives_the_arch_and_a_bare_image_is_hda():
    spec = flags_to_spec("qemu-system-aarch64 /srv/disk.img")
    assert spec.arch == "aarch64"
    assert [(d.path, d.target) for d in spec.disks] == [("/srv/disk.img", "hda")]


@pytest.mark.parametrize("argv", [
    "qemu-system-x86_64 -name web -m 2048 -smp 2 -hda /srv/a.img -cdrom /srv/b.iso -boot order=dc",
    "qemu-system-x86_64 -enable-kvm -name db -m 512 -smp 4 -drive file=/srv/d.qcow2,if=virtio,format=qcow2",
    "qemu-system-x86_64 -m 1024 -smp 1 -drive file=/srv/x,,y.raw,if=scsi,format=raw -hdb /srv/b.img",
])  # fmt: skip
def test_flags_round_trip(argv):
    assert shlex.join(spec_to_flags(flags_to_spec(argv))) == argv


def test_spec_round_trip():
    vm = DomainSpec(name="vm1", memory="1GiB", vcpus=2, boot=["cdrom", "hd"])
    vm.arch = "x86_64"
    vm.add_disk(f"{IMG}/vm1.qcow2")
    vm.add_disk("/var/lib/libvirt/iso/debian.iso")
    again = flags_to_spec(spec_to_flags(vm))
    assert again.to_xml() == flags_to_spec(spec_to_flags(again)).to_xml()
    for field in ("name", "memory", "vcpus", "boot", "type", "arch"):
        assert getattr(again, field) == getattr(vm, field), field
    assert [(d.path, d.bus, d.device, d.format) for d in again.disks] == [
        (d.path, d.bus if d.bus != "sata" else "ide", d.device, d.format) for d in vm.disks]


def test_pairs_show_each_flag_with_its_xml():
    pairs = dict(flag_pairs("qemu-system-x86_64 -enable-kvm -m 1G -smp 2 -hda /srv/a.img"))
    assert pairs["-m 1G"] == '<memory unit="MiB">1024</memory>'
    assert pairs["-smp 2"] == "<vcpu>2</vcpu>"
    assert pairs["-enable-kvm"] == '<domain type="kvm">'
    assert '<target dev="hda" bus="ide"/>' in pairs["-hda /srv/a.img"]
    assert pairs["(no -boot: the hard disk)"] == '<boot dev="hd"/>'


# QEMU itself says these; the error must quote it word for word (QEMU exits at once for each).
@pytest.mark.parametrize("argv", [["-m", "12X"], ["-m", "-5"], ["-m", "1.5"], ["-m", "1.5B"], ["-m", "20E"],
                                  ["-smp", "x"], ["-smp", "2,sockets=x"], ["-boot", "z"], ["-boot", "order=cz"],
                                  ["-hda"], ["-m"]])
def test_errors_quote_qemu(argv):
    assert QEMU, "qemu-system-x86_64 is part of the test environment (./kvmlab.sh setup installs it)"
    real = subprocess.run([QEMU, "-nodefaults", "-display", "none", "-S", "-machine", "none", *argv],
                          capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    assert real.returncode == 1
    with pytest.raises(InvalidInput) as info:
        flags_to_spec(argv)
    assert info.value.virsh_error == [real.stderr.splitlines()[0]]
    assert info.value.hint


# The sizes QEMU takes (one letter, either case, b to E; a fraction before a suffix; hex) kvmlab takes too:
# QEMU parses each, sets up that much RAM and quits when its monitor says so.
@pytest.mark.parametrize("value", ["2g", "1.5G", "0x400", "1048576k", "536870912b", "512m"])
def test_sizes_qemu_takes_are_taken(value):
    assert QEMU, "qemu-system-x86_64 is part of the test environment (./kvmlab.sh setup installs it)"
    real = subprocess.run([QEMU, "-nodefaults", "-display", "none", "-S", "-machine", "none", "-monitor", "stdio",
                           "-m", value], input="quit\n", capture_output=True, text=True, timeout=20)
    assert real.returncode == 0, real.stderr
    assert flags_to_spec(["-m", value]).memory >= 512 * 1024


def test_a_tebibyte_is_a_size_qemu_parses_and_only_fails_to_allocate():
    """Lesson 6: -m 1048576 (1 TiB, <memory>'s KiB copied as MiB) is no parse error; QEMU fails as it sets
    up the RAM (this host has far less than 1 TiB), or runs where the host can map it."""
    real = subprocess.run([QEMU, "-nodefaults", "-display", "none", "-S", "-machine", "none", "-monitor", "stdio",
                           "-m", "1048576"], input="quit\n", capture_output=True, text=True, timeout=60)
    assert "Parameter 'size'" not in real.stderr
    assert real.returncode == 0 or "cannot set up guest memory 'ram': Cannot allocate memory" in real.stderr
    assert flags_to_spec(["-m", "1048576"]).memory == 1024**3


def test_smp_0_is_kvmlabs_refusal_and_qemu_only_warns():
    """Lesson 6: QEMU 7.2 warns about -smp 0 and starts one vCPU; kvmlab refuses it and says so."""
    real = subprocess.run([QEMU, "-nodefaults", "-display", "none", "-S", "-machine", "pc", "-accel", "tcg",
                           "-m", "64", "-smp", "0", "-monitor", "stdio"], input="info cpus\nquit\n",
                          capture_output=True, text=True, timeout=30)
    assert real.returncode == 0
    assert "Deprecated CPU topology (considered invalid)" in real.stderr
    assert real.stdout.count("CPU #") == 1
    with pytest.raises(InvalidInput) as info:
        flags_to_spec(["-smp", "0"])
    assert "only warns" in info.value.hint


@pytest.mark.parametrize("argv, shown", [
    ("-smp 0", "at least one vCPU"), ("-m 100k", "too small"), ("-nic user", "not one of the flags"),
    ("-drive if=virtio", "needs file=PATH"), ("-drive file=/a,if=floppy", "if=floppy"), ("-hda 'open", "quote"),
])  # fmt: skip
def test_other_errors_teach(argv, shown):
    with pytest.raises(KvmlabError) as info:
        flags_to_spec(argv)
    assert shown in str(info.value) and info.value.hint


# -- libvirt as the referee: its own XML -> QEMU translation on the real lab ----------------------

@pytest.fixture(scope="module")
def lab_conn():
    """A connection to the real lab (brought up if it was down, and taken down again)."""
    from kvmlab import lab

    if os.geteuid() != 0:
        pytest.fail("the real-lab tests need root: run them as root (CI does)", pytrace=False)
    before, _ = lab.mode()
    st = lab.up(resources=False)
    with kvmlab.connect(st.uri) as conn:
        yield conn
    if before == "down" and lab.mode()[0] == "netns":
        lab.down()


def _native(conn, spec: DomainSpec) -> list[str]:
    """libvirt's own QEMU command line for the spec (virsh domxml-to-native qemu-argv)."""
    return shlex.split(conn.virconn.domainXMLToNative("qemu-argv", spec.to_xml(), 0))


def _value(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


@pytest.mark.reallab
@pytest.mark.parametrize("argv", [
    f"-name qf1 -m 1536 -smp 3 -hda {IMG}/a.img",
    f"-name qf2 -m 2G -smp cpus=2 -drive file={IMG}/b.qcow2,if=virtio,format=qcow2 -cdrom {IMG}/c.iso -boot order=dc",
    f"-name qf3 -m 524288k -smp 1 -hda {IMG}/d.img -hdb {IMG}/e.img -boot order=c",
])  # fmt: skip
def test_libvirt_builds_the_same_flags(lab_conn, argv):
    spec = flags_to_spec(argv)
    ours = spec_to_flags(spec)
    native = _native(lab_conn, spec)
    assert _value(native, "-m") == _value(ours, "-m")
    assert _value(native, "-smp").split(",")[0] == _value(ours, "-smp")
    assert _value(native, "-name").split(",")[0] == f"guest={_value(ours, '-name')}"
    assert _value(native, "-accel") == "tcg"  # no -enable-kvm: type qemu, software emulation
    blockdevs = [json.loads(native[i + 1]) for i, a in enumerate(native) if a == "-blockdev"]
    files = [b["filename"] for b in blockdevs if "filename" in b]
    assert sorted(files) == sorted(d.path for d in spec.disks)
    formats = {b["node-name"].replace("-format", ""): b["driver"] for b in blockdevs if "file" in b}
    paths = {b["node-name"].replace("-storage", ""): b["filename"] for b in blockdevs if "filename" in b}
    for disk in spec.disks:
        if disk.format:  # -drive …,format=: libvirt passes the same format on
            node = next(n for n, p in paths.items() if p == disk.path)
            assert formats[node] == disk.format
    devices = [json.loads(native[i + 1]) for i, a in enumerate(native) if a == "-device"]
    booted = sorted((d["bootindex"], d["driver"]) for d in devices if "bootindex" in d)
    kinds = {"hd": ("ide-hd", "virtio-blk-pci"), "cdrom": ("ide-cd",)}
    assert [drv in kinds[dev] for (_, drv), dev in zip(booted, spec.boot)] == [True] * len(spec.boot)
    assert re.fullmatch(r"\d+", _value(native, "-m"))


def test_flag_values_lists_every_value_of_a_repeated_flag():
    from kvmlab.concepts.qemuflags import flag_values

    argv = ["qemu-system-x86_64", "-device", "virtio-net-pci", "-m", "1G", "-device", "e1000", "-S"]
    assert flag_values(argv, "-device") == ["virtio-net-pci", "e1000"]
    assert flag_values(argv, "-m") == ["1G"]
    assert flag_values(argv, "-S") == []  # a flag without a value, last on the line
