"""Which Python and which `kvmlab` the benchmarks run, from the repo or from a git worktree of it.

In the repo, its own .venv. A worktree has no .venv: then the venv of the Python running the
benchmark, with this tree first on PYTHONPATH so that venv's `kvmlab` entry point runs this tree's
code. Every variant gets the same environment, so the floor and kvmlab pay alike.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_OWN = ROOT / ".venv" / "bin"
VENV_BIN = _OWN if (_OWN / "kvmlab").exists() else Path(sys.executable).parent
PY = str(VENV_BIN / "python")
KVMLAB = str(VENV_BIN / "kvmlab")


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), path] if path else [str(ROOT)])}


ENV = _env()
