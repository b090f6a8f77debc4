"""Panel: the base box of every kvmlab widget — a stable repr, and close() that stops event watches."""

from __future__ import annotations

import ipywidgets as W

__all__ = ["Panel"]


class Panel(W.VBox):
    """A VBox whose text repr is stable (nbval compares ``text/plain``; the default repr would
    list every child's value, UUIDs and CPU times included) and whose ``close()`` also stops
    the libvirt event watch in ``self.watch``, if any."""

    watch = None

    def __repr__(self) -> str:
        return f"<kvmlab.widgets.{type(self).__name__}>"

    def close(self) -> None:
        """Stop listening to libvirt events, then close the widget."""
        if self.watch is not None:
            self.watch.stop()
        super().close()
