"""``kvmlab xml domain|network|pool|volume``: print validated XML, like ``virt-install --print-xml``.

Everything printed passes libvirt's schemas (``virt-xml-validate``) and kvmlab's checks, so
``kvmlab xml domain --name vm1 --memory 512MiB > vm1.xml && virsh define vm1.xml`` works.
A bad value is explained on stderr (exit 1); a malformed command line is argparse's (exit 2).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from typing import Callable, Sequence

from ..errors import InvalidInput, KvmlabError
from ..i18n import _
from ..specs import DomainSpec, NetworkSpec, PoolSpec, VolumeSpec
from ..specs.checks_domain import BOOT_DEVICES
from ..specs.network import MODES, IpSpec
from ..specs.pool import POOL_TYPES
from ..specs.volume import VOLUME_FORMATS
from ..specs.xmlchars import bad_char_words, first_bad_char
from ..units import parse_size

__all__ = ["main", "build"]

HINT_PREFIX = "kvmlab hint: "
VIRT_TYPES = ("kvm", "qemu", "test")


def _bad(message: str, hint: str) -> InvalidInput:
    return InvalidInput(message, hint=hint)


def _choice(value: str, choices: Sequence[str], option: str, why: str) -> str:
    if value not in choices:
        raise _bad(f"{option} {value!r} is not one of: {', '.join(choices)}", why)
    return value


def _size(value: str, default_unit: str, option: str) -> str:
    """Check a size; a bare number gets ``default_unit`` written out (virt-install: MiB)."""
    parse_size(value, default_unit, what=option)
    return value + default_unit if value.strip().isdigit() else value


def _keyvals(text: str, option: str, keys: Sequence[str]) -> tuple[str, dict[str, str]]:
    """``PATH,bus=sata,format=raw`` -> (``PATH``, {bus: sata, format: raw})."""
    head, *rest = text.split(",")
    opts = {}
    for item in rest:
        key, sep, val = item.partition("=")
        if not sep or key not in keys:
            raise _bad(f"{option} {text!r}: unknown setting {item!r}",
                       f"after the first comma {option} takes {', '.join(k + '=…' for k in keys)}")
        opts[key] = val
    return head, opts


def build_domain(a: argparse.Namespace) -> DomainSpec:
    memory = _size(a.memory, "MiB", "--memory")
    vcpus = a.vcpus.strip()
    if not vcpus.isdigit() or int(vcpus) < 1:
        raise _bad(f"--vcpus {a.vcpus!r} is not a number of CPUs", "give a whole number from 1, e.g. --vcpus 2")
    _choice(a.virt_type, VIRT_TYPES, "--virt-type",
            "kvm = hardware-assisted (needs /dev/kvm), qemu = pure emulation (TCG), test = libvirt's test driver")
    vm = DomainSpec(name=a.name, type=a.virt_type, memory=memory, vcpus=int(vcpus), os_type=a.os_type,
                    arch=a.arch, machine=a.machine, uuid=a.uuid)
    _direct_boot(vm, a)
    if a.current_memory:
        vm.current_memory = _size(a.current_memory, "MiB", "--current-memory")
    if a.boot:
        devs = [d.strip() for d in a.boot.split(",")]
        for d in devs:
            _choice(d, BOOT_DEVICES, "--boot device", "hd = first disk, cdrom, network = PXE, fd = floppy; "
                    "list them in order: --boot hd,cdrom")
        vm.boot = devs
    for disk in a.disk:
        path, opts = _keyvals(disk, "--disk", ("bus", "device", "format", "target", "readonly"))
        readonly = _choice(opts.pop("readonly", "off"), ("on", "off"), "--disk readonly",
                           "readonly=on adds <readonly/>: the guest cannot write (a cdrom always is)")
        if not path.startswith("/"):
            raise _bad(f"--disk {path!r} is not an absolute path", "libvirt needs the full path of the image, "
                       "e.g. --disk /var/lib/libvirt/images/vm1.qcow2")
        vm.add_disk(path, **opts)
        if readonly == "on":
            vm.disks[-1].readonly = True
    for net in a.network:
        head, opts = _keyvals(net, "--network", ("model", "mac"))
        kind, sep, name = head.partition("=")
        if not sep:
            kind, name = "network", head
        _choice(kind, ("network", "bridge"), "--network kind", "write --network NAME, network=NAME or bridge=BRIDGE")
        vm.add_interface(**{kind: name}, model=opts.get("model", "virtio"), mac=opts.get("mac"))
    return vm


def _direct_boot(vm: DomainSpec, a: argparse.Namespace) -> None:
    """--kernel/--initrd/--kernel-args: direct kernel boot, like virt-install --boot kernel=,initrd=,kernel_args=."""
    for option, value in (("--kernel", a.kernel), ("--initrd", a.initrd)):
        if value and not value.startswith("/"):
            raise _bad(f"{option} {value!r} is not an absolute path",
                       f"QEMU reads it on the host: give its full path, e.g. {option} /var/lib/kvmlab/guest/vmlinuz")
    if (a.initrd or a.kernel_args) and not a.kernel:
        raise _bad("--initrd and --kernel-args need --kernel",
                   "direct kernel boot starts from a kernel file; the initrd and command line go with it")
    vm.kernel, vm.initrd, vm.cmdline = a.kernel, a.initrd, a.kernel_args


def build_network(a: argparse.Namespace) -> NetworkSpec:
    _choice(a.mode, MODES, "--mode", "nat: guests reach out through the host; route: no NAT; open: no firewall "
            "rules; isolated: guests and host only; bridge: join an existing host bridge")
    net = NetworkSpec(name=a.name, mode=a.mode, bridge=a.bridge)
    if a.mode == "bridge":
        if not a.bridge:
            raise _bad("--mode bridge needs --bridge NAME", "name a bridge that exists on the host, e.g. --bridge br0")
        if a.subnet or a.dhcp_range:
            raise _bad("--mode bridge takes no --subnet or --dhcp-range",
                       "in bridge mode the LAN behind the bridge gives addresses; libvirt runs no DHCP there")
        return net
    if not a.subnet:
        if a.mode != "isolated" or a.dhcp_range:
            raise _bad(f"--mode {a.mode} needs --subnet", "give the network's subnet, e.g. --subnet 192.168.150.0/24 "
                       "(the host becomes .1, the gateway)")
        return net
    try:
        subnet = ipaddress.ip_network(a.subnet, strict=False)
    except ValueError:
        raise _bad(f"--subnet {a.subnet!r} is not a subnet", "write address/prefix, e.g. 192.168.150.0/24") from None
    if str(subnet) != a.subnet.strip():
        raise _bad(f"--subnet {a.subnet!r} has host bits set", f"the subnet itself is {subnet}")
    if subnet.num_addresses < 4:
        raise _bad(f"--subnet {subnet} is too small", "it needs room for the gateway and guests: /30 or larger")
    dhcp: bool | tuple[str, str] = not a.no_dhcp
    if a.dhcp_range:
        start, sep, end = a.dhcp_range.partition(",")
        if not sep:
            raise _bad(f"--dhcp-range {a.dhcp_range!r} is not START,END",
                       "e.g. --dhcp-range 192.168.150.100,192.168.150.200")
        dhcp = (start.strip(), end.strip())
    net.ips.append(IpSpec.from_subnet(str(subnet), dhcp=dhcp))
    return net


def build_pool(a: argparse.Namespace) -> PoolSpec:
    _choice(a.type, POOL_TYPES, "--type", "dir: a directory of image files; fs: a block device to mount; "
            "netfs: an NFS export; logical: an LVM volume group")
    pool = PoolSpec(type=a.type, name=a.name)
    source = a.source
    if a.type == "dir" and source:
        raise _bad("a dir pool takes no --source", "a dir pool is just its --target directory")
    if a.type in ("fs", "netfs", "logical") and not source:
        example = {"fs": "/dev/sdb1", "netfs": "nfs.example.com:/export/images", "logical": "vg0 (or /dev/sdb)"}
        raise _bad(f"a {a.type} pool needs --source", f"e.g. --source {example[a.type]}")
    if a.type == "fs":
        pool.source_devices = [source]
    elif a.type == "netfs":
        host, sep, path = source.partition(":")
        if not sep or not host or not path.startswith("/"):
            raise _bad(f"--source {source!r} is not HOST:/EXPORT", "e.g. --source nfs.example.com:/export/images")
        pool.source_host, pool.source_dir = host, path
        pool.source_format = a.source_format or "nfs"
    elif a.type == "logical":
        parts = [p.strip() for p in source.split(",") if p.strip()]
        devices = [p for p in parts if p.startswith("/")]
        names = [p for p in parts if not p.startswith("/")]
        pool.source_devices = devices
        pool.source_name = names[0] if names else a.name
    if a.source_format and a.type in ("fs", "logical"):
        pool.source_format = a.source_format
    target = a.target or (f"/dev/{pool.source_name}" if a.type == "logical" else None)
    if not target:
        raise _bad(f"a {a.type} pool needs --target PATH",
                   "the directory that holds (or mounts) the images, e.g. --target /var/lib/libvirt/images/lab")
    if not target.startswith("/"):
        raise _bad(f"--target {target!r} is not an absolute path", "e.g. --target /var/lib/libvirt/images/lab")
    pool.target = target
    return pool


def build_volume(a: argparse.Namespace) -> VolumeSpec:
    _choice(a.format, VOLUME_FORMATS, "--format",
            "qcow2: grows as written, snapshots, backing files; raw: plain bytes, simplest and fastest")
    vol = VolumeSpec(name=a.name, capacity=_size(a.capacity, "bytes", "--capacity"), format=a.format)
    if a.allocation is not None:
        vol.allocation = _size(a.allocation, "bytes", "--allocation")
    return vol


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kvmlab xml", description=_("Print validated libvirt XML."))
    sub = p.add_subparsers(dest="kind", required=True, metavar="domain|network|pool|volume")
    d = sub.add_parser("domain", help="a VM: virsh define input")
    d.add_argument("--name", required=True)
    d.add_argument("--memory", required=True, help="RAM: 512MiB, 2GiB (a bare number is MiB, as in virt-install)")
    d.add_argument("--current-memory", help="balloon target (<= --memory; the guest boots with --memory)")
    d.add_argument("--vcpus", default="1")
    d.add_argument("--boot", help="boot order, e.g. hd,cdrom")
    d.add_argument("--disk", action="append", default=[],
                   help="PATH[,bus=…][,device=…][,format=…][,target=…][,readonly=on]")
    d.add_argument("--network", action="append", default=[],
                   help="NAME | network=NAME | bridge=BR [,model=…][,mac=…]")
    d.add_argument("--os-type", default="hvm")
    d.add_argument("--arch", default="x86_64")
    d.add_argument("--machine")
    d.add_argument("--virt-type", default="kvm", help="kvm | qemu | test")
    d.add_argument("--uuid")
    d.add_argument("--kernel", help="direct kernel boot: the kernel file on the host (virt-install --boot kernel=)")
    d.add_argument("--initrd", help="its initramfs (virt-install --boot initrd=)")
    d.add_argument("--kernel-args", help="its command line, e.g. 'console=ttyS0' (virt-install --boot kernel_args=)")
    n = sub.add_parser("network", help="a virtual network: virsh net-define input")
    n.add_argument("--name", required=True)
    n.add_argument("--mode", default="nat", help="nat | route | open | isolated | bridge")
    n.add_argument("--subnet", help="e.g. 192.168.150.0/24 (the host gets .1)")
    n.add_argument("--dhcp-range", help="START,END (default: the whole subnet after the gateway)")
    n.add_argument("--no-dhcp", action="store_true")
    n.add_argument("--bridge", help="bridge name: virbr10 (bridge mode: an existing host bridge)")
    o = sub.add_parser("pool", help="a storage pool: virsh pool-define input")
    o.add_argument("--name", required=True)
    o.add_argument("--type", required=True, help="dir | fs | netfs | logical")
    o.add_argument("--target", help="dir: the directory; fs/netfs: the mount point; logical: /dev/VG")
    o.add_argument("--source", help="fs: /dev/sdb1; netfs: HOST:/EXPORT; logical: VG name and/or /dev/ disks")
    o.add_argument("--source-format", help="fs: ext4…; netfs: nfs; logical: lvm2")
    v = sub.add_parser("volume", help="a volume (disk image): virsh vol-create input")
    v.add_argument("--name", required=True)
    v.add_argument("--capacity", required=True, help="the size the guest sees: 10GiB (a bare number is bytes)")
    v.add_argument("--allocation", help="reserve now (0 = sparse)")
    v.add_argument("--format", default="qcow2", help="qcow2 | raw")
    return p


BUILDERS: dict[str, Callable[[argparse.Namespace], object]] = {
    "domain": build_domain, "network": build_network, "pool": build_pool, "volume": build_volume,
}


def _check_text(args: argparse.Namespace) -> None:
    """Every value must be text an XML document can hold, before any spec is built."""
    for dest, value in vars(args).items():
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            bad = first_bad_char(text)
            if bad is None:
                continue
            option = "--" + dest.replace("_", "-")
            raise _bad(f"{option} {text!r} holds {bad_char_words(bad)}, which XML cannot carry",
                       f"write {option} in plain UTF-8 text without control characters; libvirt reads every "
                       "name and path from the XML, so virsh define would refuse it too")


def build(argv: Sequence[str]):
    """Parse ``argv`` and return the validated spec (raises KvmlabError or SystemExit)."""
    args = _parser().parse_args(list(argv))
    _check_text(args)
    spec = BUILDERS[args.kind](args)
    spec.validate()
    return spec


def main(argv: Sequence[str] | None = None) -> int:
    try:
        spec = build(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    except KvmlabError as err:
        first, *rest = err.message.splitlines()
        sys.stderr.write("\n".join([f"error: {first}", *rest]) + "\n")
        if err.hint:
            sys.stderr.write(f"{HINT_PREFIX}{err.hint}\n")
        return 1
    for p in spec.problems():  # only notes remain after validate()
        sys.stderr.write(f"kvmlab note: {p}\n")
    sys.stdout.write(spec.to_xml())
    return 0
