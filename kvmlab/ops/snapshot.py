"""Snapshot operations: virsh snapshot-create-as, snapshot-list, snapshot-info, snapshot-current,
snapshot-revert, snapshot-delete and snapshot-dumpxml on libvirt-python (virsh-snapshot.c).

Where a snapshot's data lives depends on the driver, not on these calls: QEMU keeps an internal
snapshot inside the disk's qcow2 file and makes new overlay files for an external one; libvirt's
test driver (the embedded lab) keeps only the snapshot's metadata and changes no disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libvirt

from ..errors import InvalidInput, KvmlabError, NotFound, attempt, libvirt_errors
from ..i18n import _
from .calls import libvirt_flags, virsh_line
from .domain_lookup import lookup_domain
from .result import Xml
from .snapshot_create import SNAPSHOT_HINTS, create_flags, words
from .snapshot_lookup import lookup_snapshot, snapshot_name
from .vsh import exclusive, name_order
from .xpath import dump_text, require_xpath

if TYPE_CHECKING:  # the results, and the snapshot spec (lxml), load with the first snapshot command
    from .snapshot_results import SnapshotInfo, SnapshotList, SnapshotMessage, SnapshotRow

__all__ = ["SnapshotOps"]

# cmdSnapshotList's filters that --tree refuses, in virsh's order: (option, libvirt flag)
_FILTERS = [("leaves", "LEAVES"), ("no-leaves", "NO_LEAVES"), ("inactive", "INACTIVE"), ("active", "ACTIVE"),
            ("disk-only", "DISK_ONLY"), ("internal", "INTERNAL"), ("external", "EXTERNAL")]


class SnapshotOps:
    """Mixin for kvmlab.Connection: the snapshot commands of virsh (snapshot-create-as in SnapshotCreateOps)."""

    virconn: libvirt.virConnect

    def snapshot_list(self, domain: str, *, parent: bool = False, roots: bool = False, leaves: bool = False,
                      no_leaves: bool = False, metadata: bool = False, no_metadata: bool = False,
                      inactive: bool = False, active: bool = False, disk_only: bool = False, internal: bool = False,
                      external: bool = False, tree: bool = False, from_: str | None = None, current: bool = False,
                      descendants: bool = False, name: bool = False, topological: bool = False) -> SnapshotList:
        """virsh snapshot-list DOMAIN: the domain's snapshots (``tree=True``: as a tree; ``parent=True``:
        with a Parent column; ``from_``/``current``: only the children of that snapshot)."""
        opts = dict(locals())
        line = virsh_line("snapshot-list", domain, **{("from" if k == "from_" else k): v for k, v in opts.items()
                                                      if k not in ("self", "domain") and v not in (None, False)})
        given = {"tree": tree, "name": name, "parent": parent, "roots": roots, "from": from_ is not None,
                 "current": current}
        for a, b in (("tree", "name"), ("parent", "roots"), ("parent", "tree"), ("roots", "tree"), ("roots", "from"),
                     ("roots", "current")):
            exclusive(a, given[a], b, given[b])
        flag_names = []
        for option, flag in _FILTERS:
            if opts[option.replace("-", "_")]:
                if tree:
                    raise InvalidInput(f"--{option} and --tree are mutually exclusive",  # i18n: virsh's own words
                                       hint=_("a tree shows every snapshot; filter the list without --tree"))
                flag_names.append(flag)
        flag_names += [f for on, f in ((topological, "TOPOLOGICAL"), (roots, "ROOTS"), (metadata, "METADATA"),
                                       (no_metadata, "NO_METADATA")) if on]
        if descendants:
            if from_ is None and not current:
                raise InvalidInput("--descendants requires either --from or --current",  # i18n: virsh's own words
                                   hint=_("--descendants lists the whole subtree under --from SNAPSHOT (or --current)"))
            flag_names.append("DESCENDANTS")
        flags, flag_text = libvirt_flags(f"VIR_DOMAIN_SNAPSHOT_LIST_{f}" for f in flag_names)
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        start = None
        if from_ is not None or current:
            start, _name = lookup_snapshot(dom, from_, current, api, option="from")
        with libvirt_errors():
            snaps = start.listAllChildren(flags) if start is not None else dom.listAllSnapshots(flags)
        api.append(f"{'snap.listAllChildren' if start is not None else 'dom.listAllSnapshots'}({flag_text})")
        rows = self._snapshot_rows(snaps, tree, name, parent, api)
        if tree and start is not None:
            from .snapshot_results import SnapshotRow

            with libvirt_errors():
                rows.append(SnapshotRow(start.getName()))  # the tree starts at --from, drawn as a root
        if not topological:
            rows.sort(key=lambda r: name_order(r.name))
        from .snapshot_results import SnapshotList

        mode = "tree" if tree else "name" if name else "table"
        header = ("Name", "Creation Time", "State", *(("Parent",) if parent else ()))
        table = [(r.name, r.created, r.state, *((r.parent or "",) if parent else ())) for r in rows]
        return SnapshotList(header=header, rows=table, domain=dom.name(), snapshots=rows, mode=mode,
                            show_parent=parent, virsh=line, api=api)

    def _snapshot_rows(self, snaps: list, tree: bool, names_only: bool, parent: bool,
                       api: list[str]) -> list[SnapshotRow]:
        """Each snapshot's row: its parent for a tree; its state and time from its XML for the table
        (virsh skips a snapshot whose XML it cannot read: it vanished meanwhile)."""
        from ..specs.snapshot import SnapshotSpec
        from .snapshot_results import SnapshotRow

        rows = []
        for snap in snaps:
            with libvirt_errors():
                row = SnapshotRow(snap.getName())
            if tree:
                parent_snap = attempt(snap.getParent, 0, codes=[libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT])
                with libvirt_errors():
                    row.parent = parent_snap.getName() if parent_snap is not None else None
            elif not names_only:
                xml = attempt(snap.getXMLDesc, 0)
                spec = SnapshotSpec.from_xml(xml) if xml else None
                if spec is None or spec.state is None or spec.creation_time is None:
                    continue
                row.state, row.creation_time = spec.state, spec.creation_time
                row.parent = spec.parent if parent else None
            rows.append(row)
        if tree:
            api.append("snap.getParent(0)  # per snapshot: none for a root")
        elif not names_only:
            api.append("snap.getXMLDesc(0)  # per snapshot: <state>, <creationTime>, <parent>")
        return rows

    def snapshot_info(self, domain: str, snapshotname: str | None = None, current: bool = False) -> SnapshotInfo:
        """virsh snapshot-info DOMAIN SNAPSHOT (or ``current=True``): state, location, parent, children."""
        from ..specs.snapshot import SnapshotSpec
        from .snapshot_results import SnapshotInfo

        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        snap, name = lookup_snapshot(dom, snapshotname, current, api)
        info = SnapshotInfo(name=name, domain=dom.name(), virsh=virsh_line("snapshot-info", *words(domain, snapshotname),
                                                                           current=current), api=api)
        info.current = (attempt(snap.isCurrent, 0) or 0) > 0
        try:
            with libvirt_errors():
                spec = SnapshotSpec.from_xml(snap.getXMLDesc(0))
            api.append("snap.isCurrent(0); snap.getXMLDesc(0)")
            info.state, info.location, info.parent = spec.state or "", spec.location, spec.parent
            counted = attempt(snap.numChildren, 0, codes=[libvirt.VIR_ERR_NO_SUPPORT])
            if counted is not None:
                info.children = counted
                with libvirt_errors():
                    info.descendants = snap.numChildren(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS)
                api.append("snap.numChildren(0); snap.numChildren(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS)")
                with libvirt_errors():
                    info.metadata = snap.hasMetadata(0) > 0
                api.append("snap.hasMetadata(0)")
        except KvmlabError as err:
            err.partial_stdout = "".join(f"{k:<15} {v}\n" for k, v in info.lines()[:3])  # printed already
            raise
        return info

    def snapshot_current(self, domain: str, name: bool = False, security_info: bool = False,
                         snapshotname: str | None = None) -> SnapshotMessage | Xml:
        """virsh snapshot-current DOMAIN: the current snapshot's XML (``name=True``: its name);
        ``snapshotname=`` makes that snapshot the current one instead."""
        from .snapshot_results import SnapshotMessage

        exclusive("name", name, "snapshotname", snapshotname is not None)
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        line = virsh_line("snapshot-current", domain, name=name, security_info=security_info,
                          snapshotname=snapshotname)
        text = snapshot_name(snapshotname)
        if text is not None:
            snap, _name = lookup_snapshot(dom, text, False, api)
            with libvirt_errors():
                xml = snap.getXMLDesc(libvirt.VIR_DOMAIN_XML_SECURE)
            on = dict(redefine=True, current=True, disk_only="<state>disk-snapshot</state>" in xml)
            flags, flag_text = create_flags(**on)
            api += ["xml = snap.getXMLDesc(libvirt.VIR_DOMAIN_XML_SECURE)",
                    f"dom.snapshotCreateXML(xml, {flag_text})  # redefine it, as the current one"]
            with libvirt_errors(hints=SNAPSHOT_HINTS):
                dom.snapshotCreateXML(xml, flags)
            return SnapshotMessage(message=f"Snapshot {text} set as current", domain=dom.name(), snapshot=text,
                                   newline=False, virsh=line, api=api)
        with libvirt_errors():
            has = dom.hasCurrentSnapshot(0)
        api.append("dom.hasCurrentSnapshot(0)")
        if not has:
            raise NotFound(f"domain '{domain}' has no current snapshot",  # i18n: virsh's own words
                           hint=_("libvirt marks the snapshot taken (or reverted to) last as current; "
                                  "take one with `virsh snapshot-create-as DOMAIN NAME`"))
        with libvirt_errors():
            snap = dom.snapshotCurrent(0)
            if name:
                found = snap.getName()
            else:
                flags, flag_text = libvirt_flags(["VIR_DOMAIN_XML_SECURE"] if security_info else [])
                xml = snap.getXMLDesc(flags)
        api.append("snap = dom.snapshotCurrent(0)")
        if name:
            return SnapshotMessage(message=found, domain=dom.name(), snapshot=found, newline=False, virsh=line, api=api)
        api.append(f"snap.getXMLDesc({flag_text})")
        return Xml(xml=xml, virsh=line, api=api)

    def snapshot_revert(self, domain: str, snapshotname: str | None = None, current: bool = False, *,
                        running: bool = False, paused: bool = False, force: bool = False,
                        reset_nvram: bool = False) -> SnapshotMessage:
        """virsh snapshot-revert DOMAIN SNAPSHOT: put the domain back as it was then. Everything since
        is lost: disk writes, and with a memory snapshot the guest's running programs and RAM too."""
        from .snapshot_results import SnapshotMessage

        flags, flag_text = libvirt_flags(f"VIR_DOMAIN_SNAPSHOT_REVERT_{f}" for on, f in (
            (running, "RUNNING"), (paused, "PAUSED"), (reset_nvram, "RESET_NVRAM")) if on)
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        snap, name = lookup_snapshot(dom, snapshotname, current, api)
        line = virsh_line("snapshot-revert", *words(domain, snapshotname), current=current, running=running, paused=paused,
                          force=force, reset_nvram=reset_nvram)
        try:
            with libvirt_errors(f"Failed to revert snapshot {name}", hints=SNAPSHOT_HINTS):
                dom.revertToSnapshot(snap, flags)
            api.append(f"dom.revertToSnapshot(snap, {flag_text})")
        except KvmlabError as err:
            if not (force and err.libvirt_code == libvirt.VIR_ERR_SNAPSHOT_REVERT_RISKY):
                raise
            flags |= libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_FORCE
            with libvirt_errors(f"Failed to revert snapshot {name}", hints=SNAPSHOT_HINTS):
                dom.revertToSnapshot(snap, flags)
            api.append(f"dom.revertToSnapshot(snap, {flag_text} | libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_FORCE)  # risky")
        return SnapshotMessage(message=f"Domain snapshot {name} reverted", domain=dom.name(), snapshot=name,
                               virsh=line, api=api)

    def snapshot_delete(self, domain: str, snapshotname: str | None = None, current: bool = False, *,
                        children: bool = False, children_only: bool = False, metadata: bool = False
                        ) -> SnapshotMessage:
        """virsh snapshot-delete DOMAIN SNAPSHOT: delete it (an internal one from inside the qcow2; an
        external one by merging its overlay back). ``children``: its whole subtree too."""
        from .snapshot_results import SnapshotMessage

        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        snap, name = lookup_snapshot(dom, snapshotname, current, api)
        flags, flag_text = libvirt_flags(f"VIR_DOMAIN_SNAPSHOT_DELETE_{f}" for on, f in (
            (children, "CHILDREN"), (children_only, "CHILDREN_ONLY"), (metadata, "METADATA_ONLY")) if on)
        with libvirt_errors(f"Failed to delete snapshot {name}", hints=SNAPSHOT_HINTS):
            snap.delete(flags)
        api.append(f"snap.delete({flag_text})")
        line = virsh_line("snapshot-delete", *words(domain, snapshotname), current=current, children=children,
                          children_only=children_only, metadata=metadata)
        what = "children deleted" if children_only else "deleted"
        return SnapshotMessage(message=f"Domain snapshot {name} {what}", domain=dom.name(), snapshot=name,
                               virsh=line, api=api)

    def snapshot_dumpxml(self, domain: str, snapshotname: str, security_info: bool = False,
                         xpath: str | None = None, wrap: bool = False) -> Xml:
        """virsh snapshot-dumpxml DOMAIN SNAPSHOT: the snapshot's XML, with the <domain> as it was then."""
        text = snapshot_name(snapshotname)  # virsh reads it before it looks for the domain
        if text is None:
            raise InvalidInput(_("snapshot-dumpxml needs the snapshot's name"),
                               hint=_("conn.snapshot_dumpxml(domain, 'NAME'); `virsh snapshot-list DOMAIN` lists them"))
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        snap, _name = lookup_snapshot(dom, text, False, api)
        require_xpath(xpath, "/domainsnapshot/disks")
        flags, flag_text = libvirt_flags(["VIR_DOMAIN_XML_SECURE"] if security_info else [])
        with libvirt_errors():
            xml = snap.getXMLDesc(flags)
        api.append(f"snap.getXMLDesc({flag_text})")
        line = virsh_line("snapshot-dumpxml", domain, text, security_info=security_info, xpath=xpath, wrap=wrap)
        return Xml(xml=dump_text(xml, xpath, wrap, api), virsh=line, api=api)

