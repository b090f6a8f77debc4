"""Where the real lab keeps its things: one place for every path and name it owns."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "NETNS",
    "RUN_DIR",
    "LIBVIRTD_PID",
    "VIRTLOGD_PID",
    "LOG_DIR",
    "STATE_DIR",
    "POOL_DIR",
    "LIBVIRT_RUN",
    "LIBVIRT_SOCK",
    "VIRTQEMUD_SOCK",
    "VIRTLOGD_SOCK",
    "LIBVIRT_DIRS",
    "SYSTEM_URI",
    "SESSION_URI",
]

# The network namespace kvmlab creates: bridges, dnsmasq, NAT rules and QEMU live only here.
NETNS = "kvmlab-lab"

# Pid files kvmlab owns (tmpfs: gone after a reboot, like the daemons they name).
RUN_DIR = Path("/run/kvmlab")
LIBVIRTD_PID = RUN_DIR / "libvirtd.pid"
VIRTLOGD_PID = RUN_DIR / "virtlogd.pid"

# Daemon logs (warnings and errors), kept after `lab down` for post-mortems.
LOG_DIR = Path("/var/log/kvmlab")

# Persistent lab state: the lab's storage pool directory.
STATE_DIR = Path("/var/lib/kvmlab")
POOL_DIR = STATE_DIR / "pool"

# libvirt's runtime directory: its Unix sockets are reachable from every network namespace.
LIBVIRT_RUN = Path("/run/libvirt")
LIBVIRT_SOCK = LIBVIRT_RUN / "libvirt-sock"
VIRTQEMUD_SOCK = LIBVIRT_RUN / "virtqemud-sock"
VIRTLOGD_SOCK = LIBVIRT_RUN / "virtlogd-sock"

# What libvirtd needs before it starts when no package script or systemd made them.
LIBVIRT_DIRS = (Path("/var/log/libvirt"), LIBVIRT_RUN, Path("/var/lib/libvirt"))

SYSTEM_URI = "qemu:///system"
SESSION_URI = "qemu:///session"
