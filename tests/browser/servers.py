"""JupyterLab and Voilà servers for the browser tests: started from .venv on 127.0.0.1, stopped for good.

Each server runs in its own process group with a token, a free port and private Jupyter
directories (no user settings, workspaces or kernels leak in). ``stop()`` shuts the kernels
down through the REST API, terminates the server, then ends any descendant still alive by pid
(kernels run in sessions of their own, so a process-group kill alone would miss them).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

__all__ = ["Server", "free_port", "jupyter_lab", "voila", "lab_settings"]

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_settings(settings_dir: Path) -> None:
    """User settings that keep a test run stable: no autosave (the lesson files are never
    rewritten), every cell rendered (no virtual scrolling), no news or update toasts."""
    files = {
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False},
    }  # fmt: skip
    for rel, value in files.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


class Server:
    """A started server: ``url(path)`` adds the token; ``stop()`` leaves no process behind."""

    def __init__(self, argv: list[str], port: int, token: str, home: Path, log: Path, env: dict[str, str]):
        self.port, self.token, self.home, self.log_path = port, token, home, log
        self.base = f"http://127.0.0.1:{port}"
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                     cwd=home, start_new_session=True)  # fmt: skip
        self.started_in: float | None = None
        self._family: list[psutil.Process] = []

    def url(self, path: str = "/") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET") -> object:
        req = urllib.request.Request(self.base + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})  # fmt: skip
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, probe: str, timeout: float = 240.0) -> None:
        """Poll ``probe`` (a path) until it answers 200; fail with the server's log otherwise."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url(probe), timeout=5) as r:
                    if r.status == 200:
                        self.started_in = time.monotonic() - t0
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server did not answer {probe} within {timeout:.0f}s:\n{self.log()[-3000:]}")

    def shutdown_kernels(self) -> int:
        """Shut every kernel down through the REST API (JupyterLab); returns how many."""
        kernels = self.api("/api/kernels") or []
        for k in kernels:  # type: ignore[union-attr]
            self.api(f"/api/kernels/{k['id']}", method="DELETE")
        return len(kernels)  # type: ignore[arg-type]

    def kernel_cmdlines(self) -> list[list[str]]:
        """The command lines of the kernels this server started (to see which Python runs them)."""
        out = []
        for p in self.descendants():
            try:
                cmd = p.cmdline()
            except psutil.NoSuchProcess:
                continue
            if any("ipykernel" in part for part in cmd):
                out.append(cmd)
        return out

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self, shutdown_kernels: bool = True) -> list[int]:
        """Stop the server and everything it started; return pids that had to be killed."""
        family = self.descendants()
        if shutdown_kernels and self.proc.poll() is None:
            try:
                self.shutdown_kernels()
            except (urllib.error.URLError, OSError, ValueError):
                pass  # voila has no kernels API; terminating it shuts its kernels down
        family += [p for p in self.descendants() if p not in family]
        self._family = list(family)
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        _, alive = psutil.wait_procs(family, timeout=10)
        killed = []
        for p in alive:
            try:
                p.kill()
                killed.append(p.pid)
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=5)
        self._log.close()
        return killed

    def leftovers(self) -> list[int]:
        """Pids of this server and of every process it had started (kernels included, even the
        ones in sessions of their own) that are still alive; none after ``stop()``."""
        pids = [] if self.proc.poll() is not None else [self.proc.pid]
        alive = set()
        for p in self._family + self.descendants():
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.add(p.pid)
            except psutil.NoSuchProcess:
                pass
        return pids + sorted(alive)


def _env(home: Path) -> dict[str, str]:
    """A private Jupyter world under ``home``: config, data, runtime, lab settings, workspaces."""
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("IPYTHONDIR", "ipython")):  # fmt: skip
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env.pop("JUPYTER_PATH", None)
    env.pop("KVMLAB_URI", None)  # the embedded lab unless a test asks for another
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"  # kernels find .venv's python first
    env["PYTHONUNBUFFERED"] = "1"
    return env


def jupyter_lab(root: Path, home: Path, timeout: float = 240.0, uri: str | None = None,
                settings: dict[str, str] | None = None, env: dict[str, str] | None = None) -> Server:
    """JupyterLab from .venv serving ``root`` on 127.0.0.1, waited for until it answers; its kernels
    open ``uri`` (KVMLAB_URI) when given, else the embedded lab. ``settings`` adds user settings
    files (path under the settings directory -> their text)."""
    port, token = free_port(), secrets.token_hex(16)
    env = {**_env(home), **(env or {})}
    if uri:
        env["KVMLAB_URI"] = uri
    lab_settings(home / "lab-settings")
    for rel, text in (settings or {}).items():
        (home / "lab-settings" / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / "lab-settings" / rel).write_text(text)
    argv = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}", "--LabApp.news_url=", "--ServerApp.open_browser=False"]  # fmt: skip
    if os.geteuid() == 0:
        argv.append("--allow-root")  # without it jupyter refuses to start as root
    server = Server(argv, port, token, home, home / "jupyter-lab.log", env)
    server.wait_ready("/api/status", timeout)
    return server


def voila(home: Path, uri: str | None = None, timeout: float = 240.0) -> Server:
    """The kvmlab app (``python -m kvmlab.app``: Voilà on kvmlab/app/dashboard.ipynb)."""
    port, token = free_port(), secrets.token_hex(16)
    env = _env(home)
    if uri:
        env["KVMLAB_URI"] = uri
    argv = [sys.executable, "-m", "kvmlab.app", f"--port={port}", f"--token={token}"]
    server = Server(argv, port, token, home, home / "voila.log", env)
    server.wait_ready("/voila/static/voila.js", timeout)  # "/" would run the notebook
    return server
