"""virsh's grammar, commands and hints as a library: parse a line, run it on a Connection.

The ``kvmlab virsh`` command (:mod:`kvmlab.cli.virsh`) and ``Connection.virsh()`` both use it.
The names below load on first use (PEP 562): importing one submodule (the parser, say) does not
load the others.
"""

import importlib as _importlib

# name -> the module that defines it
_WHERE = {"COMMANDS": "run", "run_batch": "run", "VirshRun": "line", "run_line": "line"}

__all__ = ["COMMANDS", "VirshRun", "run_batch", "run_line"]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kvmlab.virsh' has no attribute {name!r}")  # i18n: not shown (Python's own wording)
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
