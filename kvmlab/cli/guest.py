"""`kvmlab guest build | probe | xml`: the tiny real guest from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from ..errors import KvmlabError
from ..i18n import _

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kvmlab guest", description=_("kvmlab's tiny real guest"))
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build (or find cached) kernel + busybox initramfs")
    b.add_argument("--force", action="store_true", help="rebuild even when cached")
    b.add_argument("--json", action="store_true", help="print the result as JSON")
    b.add_argument("--kernel-version", help="a /boot/vmlinuz-VERSION to use")
    pr = sub.add_parser("probe", help="KVM or TCG? boots the guest under KVM with a timeout")
    pr.add_argument("--force", action="store_true", help="ask again instead of using the cached verdict")
    pr.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for the KVM boot")
    x = sub.add_parser("xml", help="print the guest's domain XML (define it with virsh define)")
    x.add_argument("name", nargs="?", default="kvmlab-guest")
    x.add_argument("--network", action="append", help="libvirt network for a NIC (repeatable; default kvmlab-nat)")
    x.add_argument("--no-network", action="store_true", help="no NIC")
    x.add_argument("--nic-model", default="virtio", choices=("virtio", "e1000"))
    x.add_argument("--disk", help="a disk image path, or POOL/VOLUME, attached as /dev/vda")
    x.add_argument("--accel", choices=("kvm", "tcg"), help="default: the probe's verdict")
    x.add_argument("--memory", type=int, default=128, help="MiB")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.cmd == "build":
            from ..lab.guest import build

            image = build(None if args.json else (lambda line: print(line, flush=True)),
                          force=args.force, kernel_version=args.kernel_version)
            if args.json:
                print(json.dumps(image.to_dict(), indent=2))
            else:
                print(f"kernel:  {image.boot_kernel()}\ninitrd:  {image.initrd}")
        elif args.cmd == "probe":
            from ..lab.probe import probe

            print(probe(force=args.force, timeout=args.timeout).explain())
        else:
            from ..lab.guest import domain_xml
            from ..lab.probe import accel

            disk = args.disk
            if disk and "/" in disk and not disk.startswith(("/", ".")):
                disk = tuple(disk.split("/", 1))
            nets = [] if args.no_network else (args.network or ["kvmlab-nat"])
            sys.stdout.write(domain_xml(args.name, networks=nets, nic_model=args.nic_model, disk=disk,
                                        accel=args.accel or accel(), memory_mib=args.memory))
    except KvmlabError as exc:
        for line in exc.virsh_error:
            print(f"error: {line}", file=sys.stderr)
        if exc.hint:
            print(f"kvmlab hint: {exc.hint}", file=sys.stderr)
        return 1
    return 0
