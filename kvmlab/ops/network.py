"""Network operations (virsh network commands) on libvirt-python."""

from __future__ import annotations

__all__ = ["NetworkOps"]


class NetworkOps:
    """Mixin for kvmlab.Connection: the network commands of virsh."""
