"""ModeForms: one NetworkForm per network mode, side by side in tabs (lesson 4).

Each form gets its own name (``lab-nat`` …), bridge (``virbr10`` …) and subnet (192.168.150.0/24 …),
so any of them can be defined next to the others; bridge mode names the existing bridge ``br0``.
"""

from __future__ import annotations

from typing import Any, Iterable

import ipywidgets as W

from ..concepts.topology import MODE_TRAFFIC
from ..i18n import _
from .network_form import NetworkForm
from .validation import spec_problems

__all__ = ["ModeForms"]


class ModeForms:
    """Forms keyed by mode (``forms["route"]``), shown as tabs (``forms.tabs``).

    ``summary()`` prints each form's problems (or ``valid``) and its XML; ``remove(mode)`` stops the
    form's network if it runs and deletes its definition (net-destroy, net-undefine).
    """

    def __init__(self, conn: Any, prefix: str = "lab", subnet: str = "192.168.15",
                 modes: Iterable[str] = tuple(MODE_TRAFFIC)):  # fmt: skip
        self.conn = conn
        self.forms: dict[str, NetworkForm] = {}
        for i, mode in enumerate(modes):
            form = NetworkForm(conn, name=f"{prefix}-{mode}")
            form.mode.value = mode
            form.bridge.value = "br0" if mode == "bridge" else f"virbr1{i}"
            form.address.value = f"{subnet}{i}.1"
            form.dhcp_start.value, form.dhcp_end.value = f"{subnet}{i}.100", f"{subnet}{i}.200"
            self.forms[mode] = form
        self.tabs = W.Tab(children=list(self.forms.values()))
        for i, mode in enumerate(self.forms):
            self.tabs.set_title(i, mode)

    def __getitem__(self, mode: str) -> NetworkForm:
        return self.forms[mode]

    def summary(self) -> str:
        """``--- MODE: problems or valid`` and the XML, for every form."""
        valid = _("valid")
        return "\n".join(f"--- {mode}: {spec_problems(f.spec()) or valid}\n{f.spec().to_xml()}"
                         for mode, f in self.forms.items())

    def remove(self, mode: str) -> str:
        """Stop the ``mode`` form's network if it runs, then undefine it; virsh's lines for both."""
        name = self.forms[mode].name.value.strip()
        out = ""
        if self.conn.net_info(name).active:  # a define without start, or qemu:///session: nothing to stop
            out += str(self.conn.net_destroy(name))
        return out + str(self.conn.net_undefine(name))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.tabs)

    def close(self) -> None:
        for form in self.forms.values():
            form.close()
        self.tabs.close()
