"""`kvmlab doctor`: print the machine report; exit 1 when the course cannot run."""

from __future__ import annotations

import sys
from typing import Sequence


def main(argv: Sequence[str] = ()) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print("usage: kvmlab doctor\n\nReports libvirt, the URIs that answer, KVM vs TCG, QEMU and the schemas.")
        return 0
    from ..doctor import doctor

    report = doctor()
    sys.stdout.write(str(report))
    return 0 if report.ok else 1
