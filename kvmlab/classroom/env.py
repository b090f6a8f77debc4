"""The learners' Python: a venv every account can read, with JupyterHub, JupyterLab and kvmlab.

Root's interpreter may live where learners cannot read it (pyenv under /root), so the classroom
builds its own from the system's python3 (``--system-site-packages``: Debian's python3-libvirt
serves libvirt-python without a compiler). kvmlab itself is installed as a copy, not editable (the
checkout may be unreadable too), and reinstalled when its files change (a stamp of their hashes).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import OperationFailed
from . import paths

SYSTEM_PYTHON = "/usr/bin/python3"


def repo_root() -> Path:
    """The checkout kvmlab runs from (pyproject.toml beside the package)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise OperationFailed(f"no pyproject.toml in {root}: the classroom installs kvmlab from its checkout",
                              hint="run kvmlab from a git checkout (./kvmlab.sh setup)")
    return root


def _stamp(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted([root / "pyproject.toml", *(root / "kvmlab").rglob("*")]):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def python() -> str:
    return os.path.join(paths.ENV_DIR, "bin", "python")


def ensure(log=print) -> str:
    """Create or refresh the environment; the path of its bin/ directory."""
    root = repo_root()
    env = Path(paths.ENV_DIR)
    stamp_file, want = env / ".kvmlab-stamp", _stamp(root)
    if stamp_file.is_file() and stamp_file.read_text() == want and Path(python()).exists():
        return str(env / "bin")
    if not Path(python()).exists():
        log(f"creating the learners' Python environment in {env} (once: a few minutes)")
        _check([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(env)])
    log("installing kvmlab with the [course,classroom] extras into it")
    with tempfile.TemporaryDirectory(prefix="kvmlab-classroom-src-") as src:
        # a copy: pip's build writes build/ and *.egg-info beside the sources, and the checkout stays clean
        shutil.copytree(root / "kvmlab", Path(src) / "kvmlab", ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, Path(src) / name)
        pip = [python(), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        _check([*pip, f"{src}[course,classroom]"])
        _check([*pip, "--no-deps", "--force-reinstall", src])
    os.chmod(env, 0o755)
    stamp_file.write_text(want)
    return str(env / "bin")


def _check(cmd: list[str]) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise OperationFailed(f"{Path(cmd[0]).name} {' '.join(cmd[1:4])} … failed:\n{r.stderr[-2000:]}",
                              hint="the classroom needs python3-venv and python3-libvirt (./kvmlab.sh setup)")
