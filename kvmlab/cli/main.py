"""The `kvmlab` command: virsh | xml | doctor | lab | guest, thin over the library."""

from __future__ import annotations

import sys
from typing import Sequence

USAGE = """usage: kvmlab <command> [args]

commands:
  virsh   [-c URI] ['cmd; cmd …']   virsh's commands on kvmlab's operations (byte-identical output);
                                     no command: virsh's interactive terminal
  xml     domain|network|pool|volume [options]   print validated XML, like virt-install --print-xml
  doctor  what this machine can run: libvirt, URIs, KVM vs TCG, QEMU, schemas
  lab     up|status|down|reset       the real lab: a private libvirtd + QEMU
  guest   build|probe|xml NAME       the tiny real guest (kernel + busybox initramfs), the KVM probe
  app     [--port N] [--uri URI]     the lab's dashboards in a browser, no code (Voila)
  classroom up|status|down           JupyterHub: one lab per learner, the teacher's progress page (root)
"""


# Standard modules that the results' dataclasses import but a command rarely uses: dataclasses imports
# inspect (which loads ast, dis and tokenize) for a class without a docstring, and copy for asdict().
# The command line, a process of its own, loads them on first use instead of on every start. The
# library leaves them alone: a notebook's kernel has them loaded anyway.
DEFERRED = ("inspect", "copy")


def defer_imports(names: Sequence[str] = DEFERRED) -> None:
    """Put each module not loaded yet in sys.modules as a stand-in that loads it on first attribute read.

    Not importlib's LazyLoader: its module loads as soon as any later ``import`` statement names it
    (the import system reads ``__spec__``), which dataclasses' own ``import inspect`` does.
    """
    import types
    from _thread import allocate_lock

    lock = allocate_lock()

    class Deferred(types.ModuleType):
        def __getattr__(self, attr: str):
            with lock:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                    real = __import__(self.__name__)
                    vars(self).update(vars(real))  # this stand-in, held by whoever imported it, works as well
            return getattr(sys.modules[self.__name__], attr)

    for name in names:
        if name not in sys.modules:
            sys.modules[name] = Deferred(name)


def main(argv: Sequence[str] | None = None) -> int:
    from .encoding import bytes_through

    defer_imports()
    bytes_through()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if args else 2
    cmd, rest = args[0], args[1:]
    if cmd == "virsh":
        from .virsh import main as virsh_main

        return virsh_main(rest)
    if cmd == "xml":
        from .xml import main as xml_main

        return xml_main(rest)
    if cmd == "doctor":
        from .doctor import main as doctor_main

        return doctor_main(rest)
    if cmd == "lab":
        from .lab import main as lab_main

        return lab_main(rest)
    if cmd == "app":
        from ..app.cli import main as app_main

        return app_main(rest)
    if cmd == "guest":
        from .guest import main as guest_main

        return guest_main(rest)
    if cmd == "classroom":
        from .classroom import main as classroom_main

        return classroom_main(rest)
    sys.stderr.write(f"kvmlab: unknown command '{cmd}'\n{USAGE}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
