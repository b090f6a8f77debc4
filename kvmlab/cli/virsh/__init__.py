"""`kvmlab virsh`: virsh's grammar and output on kvmlab's operations (no virsh binary involved)."""

from .run import COMMANDS, main, run_batch

__all__ = ["COMMANDS", "main", "run_batch"]
