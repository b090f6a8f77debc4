"""The one /dev/kvm probe: does the device exist, does it open, what does KVM's API answer.

It opens /dev/kvm and asks two ioctls, as QEMU does first thing with ``-accel kvm``; it never starts a
guest. Three callers read it, each in its own words: ``kvmlab.concepts.hardware.probe_kvm`` (lesson 3),
``kvmlab.lab.probe`` (KVM or TCG for the lab) and ``kvmlab.doctor``.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEV_KVM", "KVM_API_VERSION", "KVM_MODULES", "KvmDevice", "open_kvm", "cpu_flags", "kvm_module"]

DEV_KVM = "/dev/kvm"
KVM_API_VERSION = 12  # what KVM_GET_API_VERSION answers on every KVM since Linux 2.6.22
_KVM_GET_API_VERSION = 0xAE00  # _IO(KVMIO, 0x00)
_KVM_CHECK_EXTENSION = 0xAE03  # _IO(KVMIO, 0x03)
_KVM_CAP_MAX_VCPUS = 66

# The kernel module behind /dev/kvm: VT-x, AMD-V, or PVM (KVM without hardware virtualisation, for VMs
# whose CPU offers no vmx/svm: it enters and leaves the guest in software).
KVM_MODULES = {"kvm_intel": "Intel VT-x", "kvm_amd": "AMD-V", "kvm_pvm": "PVM, no hardware virtualisation"}


@dataclass(frozen=True)
class KvmDevice:
    """What /dev/kvm said. ``error`` is why it did not open; ``ioctl_error`` why it opened but did not answer."""

    exists: bool  # the kvm module made /dev/kvm
    opens: bool = False  # this user may open it (root, or the kvm group)
    error: str = ""
    api_version: int | None = None  # KVM_GET_API_VERSION
    max_vcpus: int | None = None  # KVM_CHECK_EXTENSION(KVM_CAP_MAX_VCPUS)
    ioctl_error: str = ""

    @property
    def speaks_kvm(self) -> bool:
        """It opened and answered the API version every KVM answers."""
        return self.api_version == KVM_API_VERSION


def open_kvm() -> KvmDevice:
    """Open /dev/kvm read-write and ask its API version and its vCPU limit; close it again."""
    if not os.path.exists(DEV_KVM):
        return KvmDevice(False)
    try:
        fd = os.open(DEV_KVM, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        return KvmDevice(True, error=exc.strerror or str(exc))
    try:
        try:
            version = fcntl.ioctl(fd, _KVM_GET_API_VERSION)
        except OSError as exc:
            return KvmDevice(True, True, ioctl_error=exc.strerror or str(exc))
        try:
            vcpus: int | None = fcntl.ioctl(fd, _KVM_CHECK_EXTENSION, _KVM_CAP_MAX_VCPUS)
        except OSError:
            vcpus = None
        return KvmDevice(True, True, api_version=version, max_vcpus=vcpus)
    finally:
        os.close(fd)


def cpu_flags() -> set[str]:
    """The CPU's flags as /proc/cpuinfo lists them (empty where there is no /proc)."""
    flags: set[str] = set()
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return flags
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
    return flags


def kvm_module(sys_module: Path = Path("/sys/module")) -> str | None:
    """The loaded KVM back end (``kvm_intel``, ``kvm_amd`` or ``kvm_pvm``), or None."""
    return next((m for m in KVM_MODULES if (sys_module / m).is_dir()), None)
