"""The kvmlab app: the lab's dashboards in a browser page without code (Voilà serving
kvmlab/app/dashboard.ipynb), so a teacher can show the lab on a projector.

    >>> import kvmlab.app
    >>> kvmlab.app.serve(port=8866)                  # blocks; open http://127.0.0.1:8866/
    $ python -m kvmlab.app --port 8866 --uri qemu:///system

Needs ``pip install voila`` (with ipywidgets, as for the course).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ..errors import KvmlabError
from ..i18n import _

__all__ = ["DASHBOARD", "voila_argv", "serve"]

DASHBOARD = Path(__file__).with_name("dashboard.ipynb")


def voila_argv(port: int = 8866, open_browser: bool = False, ip: str = "127.0.0.1",
               token: str | None = None) -> list[str]:  # fmt: skip
    """Voilà's arguments for the dashboard: outputs only (code cells stripped), on ``ip:port``."""
    argv = [str(DASHBOARD), f"--Voila.ip={ip}", f"--port={port}", "--Voila.port_retries=0",
            "--strip_sources=True", "--show_tracebacks=False", "--theme=light"]  # fmt: skip
    if not open_browser:
        argv.append("--no-browser")
    if token:
        argv.append(f"--Voila.token={token}")
    return argv


def _voila():
    try:
        from voila.app import Voila
    except ImportError as err:
        raise KvmlabError(
            _("the app needs Voilà, which is not installed here ({error})").format(error=err),
            hint=_("install it: {command}").format(command=f"{sys.executable} -m pip install voila"),
        ) from None
    return Voila


def serve(port: int = 8866, open_browser: bool = False, ip: str = "127.0.0.1",
          token: str | None = None, uri: str | None = None) -> None:  # fmt: skip
    """Run Voilà on the dashboard until interrupted (Ctrl-C).

    Args:
        port: the TCP port; ip: the address to listen on (127.0.0.1: this machine only).
        open_browser: open the page in the default browser.
        token: require ``?token=…`` in the URL (None: no token, fine on 127.0.0.1).
        uri: the libvirt URI the dashboard connects to (sets $KVMLAB_URI for its kernel);
            None keeps $KVMLAB_URI, else the embedded lab.

    Raises:
        KvmlabError: Voilà is not installed.
    """
    Voila = _voila()
    if uri:
        os.environ["KVMLAB_URI"] = uri
    # the kernel is the notebook's "python3": make it this interpreter's (the one with kvmlab)
    bindir = str(Path(sys.executable).parent)
    if shutil.which("python") != str(Path(bindir) / "python"):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    Voila.launch_instance(argv=voila_argv(port, open_browser, ip, token))
    Voila.clear_instance()
