"""NetworkForm: a virtual network in each mode (nat, route, isolated, open, bridge), checked live.

The subnet and DHCP checks are the NetworkSpec's (kvmlab.specs.checks_network); the form shows
them as you type, then defines (and optionally starts) the network through the operations.
"""

from __future__ import annotations

import ipaddress
from html import escape

import ipywidgets as W

from ..i18n import N_, _
from ..specs import DhcpRange, IpSpec, NetworkSpec
from .spec_form import SpecForm

__all__ = ["NetworkForm", "MODE_LESSONS"]

MODE_LESSONS = N_({
    "nat": "guests reach the outside through the host's address (NAT); libvirt runs DHCP and DNS",
    "route": "like nat without address translation: the outside needs a route back to this subnet",
    "isolated": "no <forward>: guests talk to each other and to the host only",
    "open": "like route, but libvirt adds no firewall rules at all",
    "bridge": "guests join an existing host bridge (e.g. br0): the LAN gives them addresses, no <ip> here",
})


class NetworkForm(SpecForm):
    """A form for a new virtual network.

    Attributes:
        name, mode, bridge: the network; address (the gateway), prefix, dhcp, dhcp_start,
        dhcp_end: its subnet (hidden in bridge mode); autostart: also ``net-autostart``.
        preview, messages: the XML and its problems. define_button (net-define) and
        define_start_button (net-define, net-start[, net-autostart] with progress).

        form = NetworkForm(conn)
        form.name.value = "lab"; form.mode.value = "route"; form.define_button.click()
    """

    KIND, DEFINE, READ_BACK = "network", "net-define", ("net-info", "net_info")

    def __init__(self, conn, name: str = "lab"):
        self.name = W.Text(value=name, description=_("name"))
        self.mode = W.Dropdown(options=list(MODE_LESSONS), value="nat", description=_("mode"))
        self.mode_note = W.HTML()
        self.bridge = W.Text(value="virbr10", description=_("bridge"))
        self.address = W.Text(value="192.168.150.1", description=_("gateway"))
        self.prefix = W.IntText(value=24, description=_("prefix"), layout=W.Layout(width="12em"))
        self.subnet_note = W.HTML()
        self.dhcp = W.Checkbox(value=True, description=_("DHCP"))
        self.dhcp_start = W.Text(value="192.168.150.2", description=_("from"))
        self.dhcp_end = W.Text(value="192.168.150.254", description=_("to"))
        self.autostart = W.Checkbox(value=False, description=_("autostart"))
        self.ip_box = W.VBox([W.HBox([self.address, self.prefix]), self.subnet_note,
                              W.HBox([self.dhcp, self.dhcp_start, self.dhcp_end])])  # fmt: skip
        self.define_button = W.Button(description=_("Define"), icon="save", button_style="primary",
                                      tooltip=_("virsh net-define: register the network (inactive)"))
        self.define_start_button = W.Button(description=_("Define + start"), icon="play", button_style="success",
                                            tooltip=_("virsh net-define, net-start (and net-autostart)"))
        self.define_button.on_click(lambda _b: self.define())
        self.define_start_button.on_click(lambda _b: self.define(start=True))
        super().__init__(conn, [self.name, self.mode, self.mode_note, self.bridge, self.ip_box, self.autostart],
                         [self.define_button, self.define_start_button])

    def fields(self) -> list[W.ValueWidget]:
        return [self.name, self.mode, self.bridge, self.address, self.prefix, self.dhcp,
                self.dhcp_start, self.dhcp_end]  # fmt: skip

    def spec(self) -> NetworkSpec:
        """The NetworkSpec the fields describe (in bridge mode: no <ip>, as libvirt wants)."""
        spec = NetworkSpec(name=self.name.value.strip() or None, mode=self.mode.value,
                           bridge=self.bridge.value.strip() or None)  # fmt: skip
        if self.mode.value != "bridge":
            ip = IpSpec(address=self.address.value.strip(), prefix=self.prefix.value)
            if self.dhcp.value:
                ip.ranges.append(DhcpRange(start=self.dhcp_start.value.strip(), end=self.dhcp_end.value.strip()))
            spec.ips.append(ip)
        return spec

    def _subnet_lesson(self) -> str:
        try:
            iface = ipaddress.ip_interface(f"{self.address.value.strip()}/{self.prefix.value}")
        except ValueError:
            return ""
        net = iface.network
        mask = _(" = netmask {netmask}").format(netmask=net.netmask) if net.version == 4 else ""
        return _("<small>prefix {prefix}{mask}: subnet <b>{net}</b>, {count} addresses; "
                 "the gateway {gateway} is the host's side of the network.</small>").format(
            prefix=net.prefixlen, mask=mask, net=net, count=net.num_addresses, gateway=iface.ip)

    def lessons(self) -> None:
        """Show the fields of the chosen mode and what the mode and the subnet mean."""
        bridge_mode = self.mode.value == "bridge"
        self.ip_box.layout.display = "none" if bridge_mode else None
        self.bridge.placeholder = _("br0 (must exist on the host)") if bridge_mode else _("virbr10 (libvirt creates it)")
        self.mode_note.value = f"<small>{escape(_(MODE_LESSONS[self.mode.value]))}</small>"
        self.subnet_note.value = self._subnet_lesson()

    def define(self, start: bool = False) -> None:
        """``net-define`` (which validates the spec first), then ``net-start`` / ``net-autostart``, net-info."""
        then = [("net-start", "net_start")] if start else []
        if self.autostart.value:
            then.append(("net-autostart", "net_autostart"))
        self.act("net_define", then=then)
