"""virsh's commands for reaching a guest: its cards, disks, addresses, names, state and console
(tools/virsh-domain-monitor.c and virsh-domain.c, virsh 9.0), bound to the Connection's operations."""

from __future__ import annotations

from ..ops.result import Message
from .parse import BOOL, DATA, STRING, Command, Opt, bool_options

__all__ = ["COMMANDS", "run_console"]


def _domain(help: str = "domain name, id or uuid") -> Opt:
    return Opt("domain", DATA, required=True, help=help)


_INACTIVE = Opt("inactive", BOOL, help="get inactive rather than running configuration")


def _terminal(name: str) -> None:
    from .console_tty import banner, require_tty  # the terminal's modules load with `virsh console`

    require_tty()
    banner(name)


def run_console(conn, domain: str, devname: str | None = None, force: bool = False, safe: bool = False) -> Message:
    """cmdRunConsole: a running domain, a terminal, the banner, then the guest until Ctrl-]."""
    from .console_tty import attach

    session = conn.console(domain, devname=devname, force=force, safe=safe, ready=_terminal)
    attach(session)
    return Message()


COMMANDS = [
    Command("domiflist", [_domain(), _INACTIVE],
            lambda conn, v: conn.domiflist(v["domain"], **bool_options(v, "inactive")),
            help="list all domain virtual interfaces"),
    Command("domblklist", [_domain(), _INACTIVE,
                           Opt("details", BOOL, help="additionally display the type and device value")],
            lambda conn, v: conn.domblklist(v["domain"], **bool_options(v, "inactive", "details")),
            help="list all domain blocks"),
    Command("domifaddr", [_domain(), Opt("interface", STRING, help="network interface name"),
                          Opt("full", BOOL, help="always display names and MACs of interfaces"),
                          Opt("source", STRING, help="address source: 'lease', 'agent', or 'arp'")],
            lambda conn, v: conn.domifaddr(v["domain"], interface=v.get("interface"), source=v.get("source"),
                                           **bool_options(v, "full")),
            help="Get network interfaces' addresses for a running domain"),
    Command("domstate", [_domain(), Opt("reason", BOOL, help="also print reason for the state")],
            lambda conn, v: conn.domstate(v["domain"], **bool_options(v, "reason")), help="domain state"),
    Command("domid", [_domain("domain name or uuid")], lambda conn, v: conn.domid(v["domain"]),
            help="convert a domain name or UUID to domain id"),
    Command("domuuid", [_domain("domain id or name")], lambda conn, v: conn.domuuid(v["domain"]),
            help="convert a domain name or id to domain UUID"),
    Command("domname", [_domain("domain id or uuid")], lambda conn, v: conn.domname(v["domain"]),
            help="convert a domain id or UUID to domain name"),
    Command("console", [_domain(), Opt("devname", STRING, help="character device name"),
                        Opt("force", BOOL, help="force console connection (disconnect already connected sessions)"),
                        Opt("safe", BOOL, help="only connect if safe console handling is supported")],
            lambda conn, v: run_console(conn, v["domain"], devname=v.get("devname"),
                                        **bool_options(v, "force", "safe")),
            help="connect to the guest console"),
]
