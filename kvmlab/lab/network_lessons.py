"""The course host of a network lesson (4, 5): where virtual networks cannot start, the embedded lab.

On ``qemu:///session`` (no root, as on Binder) libvirt creates no bridge and no NAT rule, so the
network lessons switch to the embedded lab, and the host they print says so in a note.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from ..connection import connect, embedded_uri
from .course import CourseHost, course_host

__all__ = ["network_course_host"]


def network_course_host(conn: Any, progress: Callable[[str], None] | None = print) -> tuple[Any, CourseHost]:
    """(connection, host) for a network lesson: ``conn`` and its :func:`course_host` where networks can
    start; otherwise a new connection to the embedded lab and its host, with a note saying why."""
    host = course_host(conn, progress=progress)
    if host.can_start_networks:
        return conn, host
    why = f"{conn.uri} cannot start virtual networks (no root): this lesson uses the embedded lab instead"
    lab = connect(embedded_uri())
    return lab, dataclasses.replace(course_host(lab, progress=progress), notes=(why,))
