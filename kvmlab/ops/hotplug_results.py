"""Results of the hot-plug and resource commands (attach-/detach-, setmem, setvcpus, vcpucount).

They load with the first of those commands, not at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import _
from ..render import escape
from .result import Message, Result

__all__ = ["DeviceChange", "ResourceChange", "VcpuCount"]


@dataclass
class DeviceChange(Message):
    """What attach-/detach- did: ``xml`` sent to libvirt, ``affects`` (["live"], ["config"] or both;
    [] for "current": libvirt picked by the domain's state), or with ``printed`` only the XML shown."""

    name: str = ""
    xml: str = ""
    affects: list = field(default_factory=list)
    printed: bool = False

    def text(self) -> str:
        return self.xml if self.printed else super().text()

    def body_html(self) -> str:
        if self.printed:
            return f"<pre>{escape(self.xml)}</pre>"
        where = " and ".join(self.affects) or _("current (live if running, else the definition)")
        changed = _("— changed: {where}").format(where=escape(where))
        return f"<div>{escape(self.message)} <span style='color:#555'>{changed}</span></div>"


@dataclass
class ResourceChange(Message):
    """setmem / setmaxmem / setvcpus: virsh prints nothing; ``what`` changed to ``value`` (KiB or vCPUs)
    in ``affects`` (["live"], ["config"], both, or [] for "as the domain is now")."""

    name: str = ""
    what: str = ""
    value: int = 0
    affects: list = field(default_factory=list)

    def summary(self) -> str:
        """What changed, in words (virsh itself prints nothing): ``memory of web01 = 524288 KiB (config)``."""
        unit = " KiB" if "memory" in self.what else ""
        where = ", ".join(self.affects) or "current"
        return _("{what} of {name} = {value}{unit} ({where})").format(what=self.what, name=self.name,
                                                                     value=self.value, unit=unit, where=where)

    def body_html(self) -> str:
        return f"<div style='color:#555'>{escape(self.summary())}</div>"


@dataclass
class VcpuCount(Result):
    """``virsh vcpucount``: ``counts`` maps ("maximum"|"current", "config"|"live") to a number; one number
    (``value``) when a single count was asked for."""

    counts: dict = field(default_factory=dict)
    value: int | None = None

    def text(self) -> str:
        if self.value is not None:
            return f"{self.value}\n"
        return "".join(f"{which:<12} {state:<12} {n:3d}\n" for (which, state), n in self.counts.items())
