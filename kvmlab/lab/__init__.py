"""The real lab: a private libvirtd + QEMU, its networks and pool, and what belongs to it.

    >>> import kvmlab.lab
    >>> print(kvmlab.lab.up())          # `kvmlab lab up`: start (or find) the daemon
    >>> conn = kvmlab.connect(kvmlab.lab.lab_uri())
    >>> print(kvmlab.lab.status())      # daemon pid, namespace, URI, KVM or TCG, lab objects
    >>> kvmlab.lab.reset()              # remove only what the lab made
    >>> kvmlab.lab.down()               # stop everything, leave nothing behind

As root with no libvirtd running, kvmlab starts virtlogd and libvirtd inside its own network
namespace ``kvmlab-lab``: bridges, dnsmasq, NAT rules and guests live there, never on the host's
interfaces. The guest image, console and KVM probe live in ``kvmlab.lab.guest`` and friends.
"""

from __future__ import annotations

from .control import down, lab_uri, mode, reset, status, up
from .course import CourseHost, course_host, wait_state
from .disk_guest import DiskGuest, GuestLog
from .disk_host import DiskHost, disk_host
from .network_lessons import network_course_host
from .lesson_guest import LessonGuest, lesson_guest
from .ownership import LAB_NS, NAME_PREFIX, is_lab_name, is_owned, tag_domain_xml
from .paths import NETNS
from .resources import LAB_NETWORKS, LAB_POOL, ensure_lab_network, ensure_lab_pool
from .status import LabReport, LabStatus

__all__ = [
    "up",
    "course_host",
    "network_course_host",
    "CourseHost",
    "wait_state",
    "disk_host",
    "DiskHost",
    "DiskGuest",
    "GuestLog",
    "lesson_guest",
    "LessonGuest",
    "status",
    "down",
    "reset",
    "mode",
    "lab_uri",
    "LabStatus",
    "LabReport",
    "tag_domain_xml",
    "is_owned",
    "is_lab_name",
    "LAB_NS",
    "NAME_PREFIX",
    "NETNS",
    "ensure_lab_network",
    "ensure_lab_pool",
    "LAB_NETWORKS",
    "LAB_POOL",
]
