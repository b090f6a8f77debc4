"""virsh start, suspend, resume, shutdown, reboot, destroy: a domain's power states."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import libvirt

from ..errors import InvalidInput, InvalidState, KvmlabError, attempt, libvirt_errors, recast, suppressed
from ..i18n import N_, _
from .calls import libvirt_flags, virsh_line
from .domain_define import parse_pass_fds
from .domain_lookup import BY_NAME, BY_UUID, lookup_domain
from .domain_results import DomainMessage
from .vsh import require_option

__all__ = ["DomainLifecycleOps", "parse_modes", "SHUTDOWN_MODES"]

# --mode word -> the end of the VIR_DOMAIN_SHUTDOWN_* / VIR_DOMAIN_REBOOT_* flag
_MODE_FLAG = {"acpi": "ACPI_POWER_BTN", "agent": "GUEST_AGENT", "initctl": "INITCTL",
              "signal": "SIGNAL", "paravirt": "PARAVIRT"}
SHUTDOWN_MODES = tuple(_MODE_FLAG)
_SHUTOFF = (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_CRASHED)


def parse_modes(mode: str | Sequence[str] | None, kind: str) -> tuple[int, str]:
    """``--mode acpi,agent`` -> (flags, the flags as code); ``kind`` is SHUTDOWN or REBOOT (their wording differs)."""
    if mode is None:
        return 0, "0"
    modes = mode.split(",") if isinstance(mode, str) else list(mode)
    if isinstance(mode, str):
        require_option(mode, "mode")
    for m in modes:
        if m not in _MODE_FLAG:
            sep = ", or" if kind == "SHUTDOWN" else " or"  # virsh's two messages differ by one comma
            raise InvalidInput(
                f"Unknown mode {m} value, expecting 'acpi', 'agent', 'initctl', 'signal'{sep} 'paravirt'",  # i18n: virsh's own words
                hint=_("acpi = the power button; agent = ask the QEMU guest agent; several: --mode acpi,agent"),
            )
    return libvirt_flags(f"VIR_DOMAIN_{kind}_{_MODE_FLAG[m]}" for m in modes)


def _mode_text(mode: str | Sequence[str] | None) -> str | None:
    """``--mode`` as typed: a list of modes is written comma-separated."""
    return mode if isinstance(mode, str) or mode is None else ",".join(mode)


def _shut_off(hint: str) -> dict[int, str]:
    """``hint`` for each state in which a domain is not running."""
    return dict.fromkeys(_SHUTOFF, hint)


# the hint when suspend / resume fail, by the state the domain is in then (templates of {name})
_SUSPEND_WRONG = N_({libvirt.VIR_DOMAIN_PAUSED: "'{name}' is already paused; `virsh resume {name}` continues it",
                     **_shut_off("'{name}' is not running; suspend pauses a running VM (`virsh start {name}` first)")})
_RESUME_WRONG = N_({libvirt.VIR_DOMAIN_RUNNING: "'{name}' is running, not paused; resume continues a VM paused by "
                                                "`virsh suspend`",
                    **_shut_off("'{name}' is shut off; `virsh start {name}` boots it (resume only continues a paused "
                                "VM)")})


def _state(dom: libvirt.virDomain) -> int | None:
    return attempt(lambda: dom.state()[0])


class DomainLifecycleOps:
    """virsh start / suspend / resume / shutdown / reboot / destroy."""

    virconn: libvirt.virConnect

    def _power(
        self,
        domain: str,
        call: Callable[[libvirt.virDomain], object],
        api_line: str,
        verb: str,
        done: str,
        virsh: str | Callable[[], str],
        wrong_state: Mapping[int, str],
    ) -> DomainMessage:
        """Look up, call, and word success/failure as virsh does (with the name as typed).

        ``wrong_state`` maps a domain state to the hint (a template with ``{name}``) when the call
        fails in that state: the domain was in the wrong state for it.
        """
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        typed = str(domain)
        api.append(api_line)
        try:
            try:
                call(dom)
            except Exception:  # mapped here, so its words are written only when it failed
                with libvirt_errors(f"Failed to {verb} domain '{typed}'"):
                    raise
        except KvmlabError as err:
            # the hint comes from the state the domain is in now, once the call failed
            real = attempt(dom.name, default=typed)
            wrong = wrong_state.get(_state(dom), "")  # a text marked N_("…") by the caller
            hint = _(wrong).format(name=real) if wrong else ""
            other = (_("libvirt's test driver refuses this mode; a real QEMU host accepts it")
                     if "unsupported flags" in err.message
                     else _("check the domain's state with `virsh dominfo {name}`").format(name=real))
            raise recast(err, InvalidState if hint else None, hint or other) from err.__cause__
        return DomainMessage(f"Domain '{typed}' {done}", name=dom.name(), virsh=virsh, api=api)

    def start(
        self,
        domain: str,
        *,
        paused: bool = False,
        autodestroy: bool = False,
        bypass_cache: bool = False,
        force_boot: bool = False,
        reset_nvram: bool = False,
        pass_fds: str | list[int] | None = None,
    ) -> DomainMessage:
        """virsh start: boot a defined, shut-off domain (by name or UUID; an id only exists once running)."""
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api, BY_UUID | BY_NAME)
        name = dom.name()
        virsh = virsh_line("start", domain, paused=paused, autodestroy=autodestroy, bypass_cache=bypass_cache,
                           force_boot=force_boot, pass_fds=pass_fds if isinstance(pass_fds, str) else None,
                           reset_nvram=reset_nvram)
        api.append("dom.ID()  # -1 while shut off")
        if dom.ID() != -1:
            paused_now = _state(dom) == libvirt.VIR_DOMAIN_PAUSED
            raise InvalidState(
                "Domain is already active",  # i18n: virsh's own words
                hint=_("'{name}' is paused, not stopped: `virsh resume {name}` continues it").format(name=name)
                if paused_now else
                _("'{name}' is already running; stop it with `virsh shutdown {name}` (graceful) "
                  "or `virsh destroy {name}` (forced power-off)").format(name=name),
            )
        fds = parse_pass_fds(pass_fds)
        chosen = [f"VIR_DOMAIN_START_{flag}" for on, flag in (
            (paused, "PAUSED"), (autodestroy, "AUTODESTROY"), (bypass_cache, "BYPASS_CACHE"),
            (force_boot, "FORCE_BOOT"), (reset_nvram, "RESET_NVRAM")) if on]
        flags, flag_text = libvirt_flags(chosen)
        if force_boot and self._force_boot(dom, fds, flags, api):
            return DomainMessage(f"Domain '{name}' started", name=name, virsh=virsh, api=api)
        # what is left after force-boot did not apply (virsh drops the flag and the save image itself)
        flags, flag_text = libvirt_flags(n for n in chosen if n != "VIR_DOMAIN_START_FORCE_BOOT")
        try:
            with libvirt_errors(f"Failed to start domain '{name}'"):
                if fds:
                    api.append(f"dom.createWithFiles({fds}, {flag_text})")
                    dom.createWithFiles(fds, flags)
                elif flags:
                    api.append(f"dom.createWithFlags({flag_text})")
                    dom.createWithFlags(flags)
                else:
                    api.append("dom.create()")
                    dom.create()
        except KvmlabError as err:
            raise recast(err, hint=_("libvirt's test driver refuses start flags; a real QEMU host accepts them")
                         if flags else _("check the domain's definition with `virsh dumpxml --inactive`")) from err
        return DomainMessage(f"Domain '{name}' started", name=name, virsh=virsh, api=api)

    def _force_boot(self, dom: libvirt.virDomain, fds: list[int], flags: int, api: list[str]) -> bool:
        """virsh tries FORCE_BOOT first, else drops the managed save image itself. True if started."""
        try:
            api.append("dom.createWithFlags(...FORCE_BOOT)")
            with suppressed(libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_INVALID_ARG):
                dom.createWithFiles(fds, flags) if fds else dom.createWithFlags(flags)
                return True
        except KvmlabError as err:
            raise recast(err, hint=_("start without force_boot, or remove the saved state with "
                                     "`virsh managedsave-remove`")) from err
        with suppressed(libvirt.VIR_ERR_NO_SUPPORT):
            if dom.hasManagedSaveImage(0) > 0:
                api.append("dom.managedSaveRemove(0)")
                dom.managedSaveRemove(0)
        return False

    def suspend(self, domain: str) -> DomainMessage:
        """virsh suspend: pause a running domain's vCPUs (memory stays); resume continues it."""
        return self._power(domain, lambda d: d.suspend(), "dom.suspend()", "suspend", "suspended",
                           lambda: virsh_line("suspend", domain), _SUSPEND_WRONG)

    def resume(self, domain: str) -> DomainMessage:
        """virsh resume: continue a domain paused by suspend."""
        return self._power(domain, lambda d: d.resume(), "dom.resume()", "resume", "resumed",
                           lambda: virsh_line("resume", domain), _RESUME_WRONG)

    def shutdown(self, domain: str, mode: str | Sequence[str] | None = None) -> DomainMessage:
        """virsh shutdown: ask the guest to power off, gracefully: through the guest agent if it has one,
        else the ACPI power button (``mode`` chooses); destroy forces it."""
        flags, flag_text = parse_modes(mode, "SHUTDOWN")
        call = (lambda d: d.shutdownFlags(flags)) if flags else (lambda d: d.shutdown())
        line = f"dom.shutdownFlags({flag_text})" if flags else "dom.shutdown()"
        wrong = _shut_off(N_("'{name}' is not running. shutdown = graceful (the guest powers itself off); "
                             "destroy = forced power-off; both only apply to a running VM"))
        return self._power(domain, call, line, "shutdown", "is being shutdown",
                           virsh_line("shutdown", domain, mode=_mode_text(mode)), wrong)

    def reboot(self, domain: str, mode: str | Sequence[str] | None = None) -> DomainMessage:
        """virsh reboot: ask the guest to restart."""
        flags, flag_text = parse_modes(mode, "REBOOT")
        line = f"dom.reboot({flag_text})"
        wrong = _shut_off(N_("'{name}' is not running; boot it with `virsh start {name}`"))
        return self._power(domain, lambda d: d.reboot(flags), line, "reboot", "is being rebooted",
                           virsh_line("reboot", domain, mode=_mode_text(mode)), wrong)

    def destroy(self, domain: str, *, graceful: bool = False, remove_logs: bool = False) -> DomainMessage:
        """virsh destroy: forced power-off (pulling the plug). The definition stays; undefine deletes it."""
        flags, flag_text = libvirt_flags(n for n, on in (("VIR_DOMAIN_DESTROY_GRACEFUL", graceful),
                                                         ("VIR_DOMAIN_DESTROY_REMOVE_LOGS", remove_logs)) if on)
        call = (lambda d: d.destroyFlags(flags)) if flags else (lambda d: d.destroy())
        line = f"dom.destroyFlags({flag_text})" if flags else "dom.destroy()"
        wrong = _shut_off(N_("'{name}' is already shut off. destroy = forced power-off of a running VM; "
                             "to delete its definition use `virsh undefine {name}`"))
        return self._power(domain, call, line, "destroy", "destroyed",
                           virsh_line("destroy", domain, graceful=graceful, remove_logs=remove_logs), wrong)
