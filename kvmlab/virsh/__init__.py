"""virsh's grammar, commands and hints as a library: parse a line, run it on a Connection.

The ``kvmlab virsh`` command (:mod:`kvmlab.cli.virsh`) and ``Connection.virsh()`` both use it.
"""

from .line import VirshRun, run_line
from .run import COMMANDS, run_batch

__all__ = ["COMMANDS", "VirshRun", "run_batch", "run_line"]
