"""Domain operations: virsh list, dominfo, dumpxml here; define/create, lifecycle, undefine, edit,
devices (domiflist, domblklist), addresses (domifaddr), ids and state (domid, domstate …), hot-plug
(attach-/detach-disk/-interface) and resources (setmem, setvcpus, autostart …) in the domain_* modules
and the console in console.py: each a mixin of kvmlab.Connection, loaded on first use."""

from __future__ import annotations

from itertools import compress

import libvirt

from ..errors import ConnectionFailed, KvmlabError, attempt, libvirt_errors, suppressed
from ..states import STATE_NAMES, state_name
from ..i18n import N_
from .calls import flag_names, libvirt_flags, virsh_line
from .domain_lookup import lookup_domain
from .domain_results import DomainList, DomainRow, DomInfo
from .result import Xml
from .vsh import exclusive, name_order
from .xpath import dump_text, require_xpath

__all__ = ["DomainOps", "STATE_NAMES"]

_C_UINT_MAX = 2**32 - 1

# cmdList's filters: (keyword, libvirt flag), in virsh's order
_FILTERS = [
    ("persistent", "PERSISTENT"),
    ("transient", "TRANSIENT"),
    ("with_managed_save", "MANAGEDSAVE"),
    ("without_managed_save", "NO_MANAGEDSAVE"),
    ("autostart", "AUTOSTART"),
    ("no_autostart", "NO_AUTOSTART"),
    ("with_snapshot", "HAS_SNAPSHOT"),
    ("without_snapshot", "NO_SNAPSHOT"),
    ("with_checkpoint", "HAS_CHECKPOINT"),
    ("without_checkpoint", "NO_CHECKPOINT"),
    ("state_running", "RUNNING"),
    ("state_paused", "PAUSED"),
    ("state_shutoff", "SHUTOFF"),
    ("state_other", "OTHER"),
]


_LIST_FLAGS = tuple(f"VIR_CONNECT_LIST_DOMAINS_{n}" for n in ("ACTIVE", "INACTIVE", *(f for _, f in _FILTERS)))
_FILTER_FLAGS = [(key, getattr(libvirt, f"VIR_CONNECT_LIST_DOMAINS_{flag}")) for key, flag in _FILTERS]


_FILTER_KEYS = [key for key, _ in _FILTER_FLAGS]
_FILTER_BITS = [flag for _, flag in _FILTER_FLAGS]
# error mappers hold no state per use: one each serves every call
_LIST_ERRORS = libvirt_errors(hint=N_("these filters need a newer libvirt"))
_MAPPED = libvirt_errors()
_OPTIONAL = suppressed()


def _title(dom: libvirt.virDomain) -> str:
    """virshGetDomainDescription(title=True): the <title>, or '' when there is none."""
    return attempt(dom.metadata, libvirt.VIR_DOMAIN_METADATA_TITLE, None, 0,
                   codes=[libvirt.VIR_ERR_NO_DOMAIN_METADATA]) or ""


class DomainOps:
    """Mixin for kvmlab.Connection: the domain commands of virsh."""

    virconn: libvirt.virConnect

    def list(
        self,
        all: bool = False,
        inactive: bool = False,
        *,
        transient: bool = False,
        persistent: bool = False,
        with_snapshot: bool = False,
        without_snapshot: bool = False,
        with_checkpoint: bool = False,
        without_checkpoint: bool = False,
        state_running: bool = False,
        state_paused: bool = False,
        state_shutoff: bool = False,
        state_other: bool = False,
        autostart: bool = False,
        no_autostart: bool = False,
        with_managed_save: bool = False,
        without_managed_save: bool = False,
        uuid: bool = False,
        name: bool = False,
        id: bool = False,
        table: bool = False,
        managed_save: bool = False,
        title: bool = False,
    ) -> DomainList:
        """virsh list: running and paused domains; ``all=True`` adds the shut-off ones.

        Filters (``persistent``, ``autostart``, ``state_running`` …) narrow the list; ``name`` /
        ``uuid`` / ``id`` print bare lines instead of the table. ``.names`` holds the names.
        """
        opts = dict(locals())
        for other in ("name", "uuid", "id") if table else ():
            exclusive("table", table, other, opts[other],
                      N_("--table prints the full table; --name/--uuid/--id print bare lines instead"))
        flags = libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE
        if inactive or state_shutoff:
            flags = libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE
        if all:
            flags = libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE | libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE
        for flag in compress(_FILTER_BITS, map(opts.__getitem__, _FILTER_KEYS)):  # the filters given
            flags |= flag
        api = [f"conn.listAllDomains({flag_names(flags, _LIST_FLAGS)})"]
        with _LIST_ERRORS:
            doms = self.virconn.listAllDomains(flags)
        show_table = table or not (uuid or name or id)
        rows = []
        for dom in doms:
            try:
                with _MAPPED:
                    dom_id = dom.ID()
                    state = dom.state()[0]
                    if managed_save and state == libvirt.VIR_DOMAIN_SHUTOFF and dom.hasManagedSaveImage(0) > 0:
                        text = "saved"
                    else:
                        text = state_name(state)
                    label = _title(dom) if title and show_table else ""
                    rows.append(DomainRow(None if dom_id < 0 else dom_id, dom.name(), dom.UUIDString(), text, label))
            except ConnectionFailed:
                raise
            except KvmlabError:
                continue  # gone while we were listing, as virsh skips it
        # virshDomainSorter: running ones by id, then the others by name, ASCII case-insensitively
        rows.sort(key=lambda r: (r.id is None, r.id or 0, name_order(r.name)))
        api.append("dom.ID(); dom.name(); dom.state()  # per domain")
        if title and show_table:
            api.append("dom.metadata(libvirt.VIR_DOMAIN_METADATA_TITLE, None)  # per domain")
        return DomainList(
            domains=rows, table=show_table, title=title and show_table, show_uuid=uuid, show_id=id, show_name=name,
            virsh=lambda: virsh_line("list", **{k: v for k, v in opts.items() if k != "self" and v}), api=api,
        )  # the .virsh line is written when it is read

    def dominfo(self, domain: str) -> DomInfo:
        """virsh dominfo: id, state, vCPUs, memory, persistence, autostart, security label.

        Typed values are attributes (``.state``, ``.max_memory_kib``, ``.autostart`` …).
        """
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        info = DomInfo(virsh=lambda: virsh_line("dominfo", domain), api=api)  # its text comes from these values
        dom_id = dom.ID()
        info.id = None if dom_id < 0 else dom_id
        info.name = dom.name()
        api.append("dom.ID(); dom.name(); dom.UUIDString(); dom.OSType(); dom.info()")
        failure: KvmlabError | None = None
        with _OPTIONAL:
            info.uuid = dom.UUIDString()
        with _OPTIONAL:
            info.os_type = dom.OSType()
        try:
            with _MAPPED:
                state, max_mem, mem, ncpu, cpu_time = dom.info()
                info.state, info.cpus, info.used_memory_kib = state_name(state), ncpu, mem
                if cpu_time != 0:
                    info.cpu_time_s = cpu_time / 1e9
                if max_mem != _C_UINT_MAX:
                    info.max_memory_kib = max_mem
        except ConnectionFailed:
            raise
        except KvmlabError as err:
            failure = err
        api.append("dom.isPersistent(); dom.autostart(); dom.hasManagedSaveImage(0)")
        with _OPTIONAL:
            info.persistent = bool(dom.isPersistent())
        with _OPTIONAL:
            info.autostart = bool(dom.autostart())
        with _OPTIONAL:
            info.managed_save = dom.hasManagedSaveImage(0) > 0
        failure = self._dominfo_security(dom, info, api) or failure
        if failure is None:
            try:
                info.messages = attempt(lambda: list(dom.messages(0)), default=[])
            except AttributeError:  # a libvirt-python without virDomainGetMessages
                info.messages = []
            return info
        failure.partial_stdout = info.text()  # virsh printed these lines already
        raise failure

    def _dominfo_security(self, dom: libvirt.virDomain, info: DomInfo, api: list[str]) -> KvmlabError | None:
        api.append("conn.getSecurityModel(); dom.securityLabel()")
        try:  # a driver without security models (NO_SUPPORT) prints no security lines
            model, doi = attempt(self.virconn.getSecurityModel, codes=[libvirt.VIR_ERR_NO_SUPPORT]) or (None, None)
        except ConnectionFailed:
            raise
        except KvmlabError as err:
            return err
        if not model:
            return None
        info.security_model, info.security_doi = model, doi
        try:
            with _MAPPED:
                label, enforcing = dom.securityLabel()
        except ConnectionFailed:
            raise
        except KvmlabError as err:
            return err
        if label:
            info.security_label, info.security_enforcing = label, bool(enforcing)
        return None

    def dumpxml(
        self,
        domain: str,
        inactive: bool = False,
        *,
        security_info: bool = False,
        update_cpu: bool = False,
        migratable: bool = False,
        xpath: str | None = None,
        wrap: bool = False,
    ) -> Xml:
        """virsh dumpxml: the live XML; ``inactive=True`` gives what the next boot will use.

        ``xpath="//disk"`` prints only the matching nodes (``wrap=True`` puts them in ``<nodes>``).
        """
        flags, flag_text = libvirt_flags(f"VIR_DOMAIN_XML_{flag}" for on, flag in (
            (inactive, "INACTIVE"), (security_info, "SECURE"), (update_cpu, "UPDATE_CPU"), (migratable, "MIGRATABLE"))
            if on)
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        virsh = virsh_line("dumpxml", domain, inactive=inactive, security_info=security_info,
                           update_cpu=update_cpu, migratable=migratable, xpath=xpath, wrap=wrap)
        require_xpath(xpath, "/domain/devices/disk")
        api.append(f"dom.XMLDesc({flag_text})")
        with libvirt_errors(hint=N_("the test driver refuses --update-cpu; a real QEMU host accepts it")
                            if update_cpu else ""):
            xml = dom.XMLDesc(flags)
        return Xml(xml=dump_text(xml, xpath, wrap, api), virsh=virsh, api=api)
