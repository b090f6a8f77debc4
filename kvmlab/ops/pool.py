"""Pool operations (virsh pool commands) on libvirt-python."""

from __future__ import annotations

__all__ = ["PoolOps"]


class PoolOps:
    """Mixin for kvmlab.Connection: the pool commands of virsh."""
