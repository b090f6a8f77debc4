"""The tiny guest's build: reproducible bytes, the right contents, a domain XML libvirt's schema accepts."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from kvmlab.errors import InvalidInput
from kvmlab.lab import guest
from kvmlab.lab.console import clean
from kvmlab.lab.initramfs import Archive, gzip_fixed
from kvmlab.lab.initramfs_modules import extract_vmlinux, find_kernel, has_pvh_entry, resolve_modules, trim_zero_tails
from kvmlab.lab.initramfs_segv import segfault_elf

KVMLAB = str(Path(sys.executable).with_name("kvmlab"))
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two independent builds of the guest in two fresh cache directories."""
    a = guest.build(cache_dir=tmp_path_factory.mktemp("cache-a"))
    b = guest.build(cache_dir=tmp_path_factory.mktemp("cache-b"))
    return a, b


def test_build_is_byte_reproducible(built):
    a, b = built
    assert a.initrd.read_bytes() == b.initrd.read_bytes()
    assert a.key == b.key and a.initrd_sha256 == b.initrd_sha256
    assert a.vmlinux is not None and a.vmlinux.read_bytes() == b.vmlinux.read_bytes()
    header = a.initrd.read_bytes()[:10]
    assert header[:2] == b"\x1f\x8b" and header[4:8] == b"\0\0\0\0", "gzip mtime must be 0"


def test_second_build_is_a_cache_hit(built):
    a, _ = built
    lines: list[str] = []
    again = guest.build(lines.append, cache_dir=a.initrd.parent.parent)
    assert again.cached and not a.cached
    assert again.initrd == a.initrd and any(line.startswith("cached:") for line in lines)
    forced = guest.build(cache_dir=a.initrd.parent.parent, force=True)
    assert not forced.cached and forced.initrd.read_bytes() == a.initrd.read_bytes()


def test_initramfs_contents(built, tmp_path):
    """Unpack with the system's cpio: init, busybox, init files, every module in dependency order."""
    a, _ = built
    raw = gzip.decompress(a.initrd.read_bytes())
    subprocess.run(["cpio", "-id", "--quiet", "--no-absolute-filenames"], input=raw, cwd=tmp_path, check=True)
    assert os.readlink(tmp_path / "init") == "bin/busybox"
    assert (tmp_path / "bin/busybox").read_bytes() == Path("/bin/busybox").read_bytes()
    assert os.readlink(tmp_path / "bin/sh") == "busybox"
    for f in ("etc/inittab", "etc/rc.sysinit", "etc/udhcpc.script", "etc/acpi/PWRF/00000080"):
        assert (tmp_path / f).exists(), f
    assert os.access(tmp_path / "etc/rc.sysinit", os.X_OK)
    order = (tmp_path / "etc/modules").read_text().split()
    names = [Path(m).name for m in order]
    for want in ("virtio_pci.ko", "virtio_net.ko", "virtio_blk.ko", "e1000.ko", "pvpanic-mmio.ko", "button.ko"):
        assert want in names, want
    for m in order:
        assert (tmp_path / "lib/modules" / m).read_bytes()[:4] == b"\x7fELF", m
    # modules.dep says what each module needs: each dependency is loaded before it.
    kernel = find_kernel(a.kernel_version)
    deps = {}
    for line in (kernel.modules_dir / "modules.dep").read_text().splitlines():
        path, _, rest = line.partition(":")
        deps[path] = rest.split()
    for i, m in enumerate(order):
        for dep in deps.get(m, []):
            assert dep in order[:i], f"{m} needs {dep} first"


def test_archive_format_and_determinism():
    a = Archive()
    a.file("etc/hello", b"hi\n")
    a.symlink("bin/sh", "busybox")
    a.chardev("dev/console", 5, 1)
    data = a.to_bytes()
    assert data.startswith(b"070701") and b"TRAILER!!!" in data and len(data) % 4 == 0
    assert data == Archive(dict(a.entries)).to_bytes()
    listing = subprocess.run(["cpio", "-itv", "--quiet"], input=data, capture_output=True, check=True).stdout.decode()
    assert "etc/hello" in listing and "bin/sh -> busybox" in listing and "5,   1" in listing
    assert gzip_fixed(data) == gzip_fixed(data) and gzip.decompress(gzip_fixed(data)) == data


def test_segfault_program_really_segfaults(tmp_path):
    exe = tmp_path / "segfault"
    exe.write_bytes(segfault_elf())
    exe.chmod(0o755)
    p = subprocess.run([str(exe)], capture_output=True, timeout=10)
    assert p.returncode == -11  # SIGSEGV: the CPU faulted, the kernel killed only this process


def test_kernel_unpacks_with_a_pvh_entry():
    kernel = find_kernel()
    elf, compression = extract_vmlinux(kernel.image.read_bytes())
    assert elf[:4] == b"\x7fELF" and compression in ("xz", "gzip", "zstd")
    assert has_pvh_entry(elf)
    trimmed = trim_zero_tails(elf)
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    saved = 0
    for i in range(phnum):
        before = struct.unpack_from("<IIQQQQQ", elf, phoff + i * phentsize)
        after = struct.unpack_from("<IIQQQQQ", trimmed, phoff + i * phentsize)
        assert after[:5] == before[:5] and after[6] == before[6]  # same place, same memory size
        off, kept, was = before[2], after[5], before[5]
        assert kept <= was and not any(elf[off + kept:off + was])  # only zeros were dropped
        saved += was - kept
    assert saved > 8 << 20, "Debian's vmlinux carries its .bss as file zeros"
    with pytest.raises(InvalidInput):
        extract_vmlinux(b"not a kernel" * 100)


def test_unknown_module_is_a_clear_error():
    with pytest.raises(InvalidInput) as e:
        resolve_modules(find_kernel(), ["no_such_module_xyz"])
    assert "no_such_module_xyz" in e.value.message and e.value.hint


def test_domain_xml_passes_libvirt_schema(built, tmp_path):
    a, _ = built
    xml = guest.domain_xml("kvmlab-schema", a, networks=["kvmlab-nat", "kvmlab-isolated"], disk=("kvmlab-pool", "d.qcow2"))
    root = etree.fromstring(xml.encode(), PARSER)
    assert root.get("type") == "qemu" and root.findtext("on_crash") == "preserve"
    assert root.find("devices/panic").get("model") == "isa" and root.find("features/acpi") is not None
    assert root.findtext("features/tcg/tb-cache") == "32"
    assert root.findtext("os/kernel") == str(a.vmlinux) and "console=ttyS0" in root.findtext("os/cmdline")
    assert len(root.findall("devices/interface")) == 2 and root.find("devices/disk/target").get("dev") == "vda"
    assert root.find("metadata/{https://kvmlab.dev/xmlns/lab/1}lab") is not None
    validator = shutil.which("virt-xml-validate")
    assert validator, "virt-xml-validate (libvirt-clients) is needed to check the XML against libvirt's schema"
    f = tmp_path / "guest.xml"
    f.write_text(xml)
    p = subprocess.run([validator, str(f), "domain"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    kvm = etree.fromstring(guest.domain_xml("kvmlab-k", a, accel="kvm", boot="bzimage").encode(), PARSER)
    assert kvm.get("type") == "kvm" and kvm.find("features/tcg") is None and kvm.findtext("os/kernel") == str(a.kernel)


@pytest.mark.parametrize("kwargs", [
    {"name": "bad name"}, {"name": "x" * 80}, {"accel": "hvf"}, {"nic_model": "rtl8139"},
    {"memory_mib": 10}, {"disk": "/tmp/x.img", "disk_format": "vmdk"},
])
def test_domain_xml_refuses_bad_input(built, kwargs):
    a, _ = built
    with pytest.raises(InvalidInput) as e:
        guest.domain_xml(**{"name": "kvmlab-ok", "image": a, **kwargs})
    assert e.value.hint


def test_console_clean_strips_terminal_codes():
    assert clean("\x1b[6nkvmlab# \r") == "kvmlab# "
    assert clean("\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS") == "SeaBIOS"


def test_cli_build_json(built, tmp_path):
    env = dict(os.environ, KVMLAB_GUEST_DIR=str(built[0].initrd.parent.parent))
    p = subprocess.run([KVMLAB, "guest", "build", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["cached"] is True and d["initrd_sha256"] == built[0].initrd_sha256
    p = subprocess.run([KVMLAB, "guest", "xml", "bad name", "--accel", "tcg"], capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode == 1 and "error: invalid guest name" in p.stderr and "kvmlab hint:" in p.stderr
