"""virsh's edit flow (vsh.c vshEditFile): temp file, $VISUAL/$EDITOR/vi, read back. (Stub.)"""

from __future__ import annotations

__all__ = ["run_editor"]


def run_editor(xml: str, editor: str | None = None) -> str:
    """Write ``xml`` to a temp file, run the editor on it as virsh does, return the edited text."""
    raise NotImplementedError
