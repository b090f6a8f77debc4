"""`kvmlab app` / `python -m kvmlab.app` [--port N] [--ip ADDR] [--uri URI] [--token T] [--open]:
serve the dashboard page (Voilà) until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from ..errors import KvmlabError
from ..i18n import _
from . import serve

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="kvmlab app", description=_("The lab's dashboards in a browser, without code (Voilà)."))
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: this machine only)")
    p.add_argument("--uri", default=None, help="libvirt URI (default: $KVMLAB_URI, else the embedded lab)")
    p.add_argument("--token", default=None, help="require ?token=… in the URL")
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    args = p.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        serve(port=args.port, open_browser=args.open, ip=args.ip, token=args.token, uri=args.uri)
    except KvmlabError as err:
        sys.stderr.write(f"error: {err.message}\nkvmlab hint: {err.hint}\n")
        return 1
    except KeyboardInterrupt:
        pass
    return 0

