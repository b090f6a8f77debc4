"""Volume operations (virsh volume commands) on libvirt-python."""

from __future__ import annotations

__all__ = ["VolumeOps"]


class VolumeOps:
    """Mixin for kvmlab.Connection: the volume commands of virsh."""
