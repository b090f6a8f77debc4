"""snapshot-create-as on libvirt-python (virsh-snapshot.c cmdSnapshotCreateAs, virshSnapshotCreate), and what
the other snapshot commands share with it: the teaching hints for libvirt's refusals, the flags as code."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

import libvirt

from ..errors import InvalidInput, KvmlabError, libvirt_errors
from ..i18n import N_, _
from .calls import libvirt_flags, virsh_line
from .domain_lookup import lookup_domain
from .lookup import unreadable
from .result import Xml
from .snapshot_lookup import snapshot_name
from .vsh import require_option

if TYPE_CHECKING:  # the results load with the first snapshot command, not at start-up
    from .snapshot_results import SnapshotMessage

__all__ = ["SnapshotCreateOps", "SNAPSHOT_HINTS", "create_flags", "words"]

# libvirt's refusals, by a fragment of its message (or its code), and what to do about them
SNAPSHOT_HINTS = N_({
    "revert to external snapshot not supported": "this libvirt cannot go back to an external snapshot: the disk "
    "now writes to the overlay file, and the file from before is its read-only backing file. Internal snapshots "
    "(inside the qcow2) can be reverted",
    "mutually exclusive": "pick one of the two options",
    "unsupported flags": "this libvirt driver does not take that option (the test driver keeps snapshot metadata "
    "only: no --disk-only, --no-metadata, --reuse-external or --metadata); a real QEMU host does",
    "must use snapshot mode 'internal'": "the test driver makes internal snapshots only; external overlay files "
    "need a real QEMU host",
    "already exists": "a snapshot of this domain has that name: pick another, or delete the old one "
    "(virsh snapshot-delete DOMAIN NAME)",
    "not a regular file": "libvirt names an external overlay after the disk's file; give the file yourself with "
    "--diskspec vda,snapshot=external,file=/path/new.qcow2",
    "Invalid value for attribute 'snapshot'": "snapshot= is no, internal (inside the qcow2) or external "
    "(a new overlay file)",
    "no disk named": "name a disk by its target, as in the domain's <target dev='vda'/> "
    "(virsh dumpxml DOMAIN --xpath //disk/target)",
    "require a filename": "an external memory snapshot needs a file: --memspec file=/absolute/path.mem",
    "must be absolute": "give an absolute path, starting with /",
    "too many disk snapshot requests": "name each disk once, and only disks the domain has",
    "specified twice": "name each disk once",
    libvirt.VIR_ERR_XML_DETAIL: "virsh writes the snapshot= and driver= values of --diskspec into the XML as they "
    "are: a quote or < there breaks the document; use plain words (external, qcow2)",
})


def create_flags(**on: bool) -> tuple[int, str]:
    return libvirt_flags(f"VIR_DOMAIN_SNAPSHOT_CREATE_{k.upper()}" for k, v in on.items() if v)


def words(*values: str | None) -> list[str]:
    """The positional words of a virsh line: the ones given."""
    return [v for v in values if v is not None]


def _utf8(doc: str) -> None:
    """A document libvirt-python can pass on: argv bytes that are not UTF-8 cannot reach libvirt."""
    if unreadable(doc):
        raise InvalidInput(_("the snapshot's name, description or file names hold bytes that are not UTF-8"),
                           hint=_("libvirt reads snapshot XML as UTF-8: write the values in plain UTF-8 text"))


class SnapshotCreateOps:
    """Mixin for kvmlab.Connection: virsh snapshot-create-as."""

    virconn: libvirt.virConnect

    def snapshot_create_as(self, domain: str, name: str | None = None, description: str | None = None, *,
                           print_xml: bool = False, no_metadata: bool = False, halt: bool = False,
                           disk_only: bool = False, reuse_external: bool = False, quiesce: bool = False,
                           atomic: bool = False, live: bool = False, validate: bool = False,
                           memspec: str | None = None, diskspec: str | list[str] | None = None
                           ) -> SnapshotMessage | Xml:
        """virsh snapshot-create-as DOMAIN [NAME] [DESCRIPTION]: take a snapshot now.

        Without options QEMU takes a full snapshot of a running domain (memory and disks, inside
        its qcow2 file: internal) or of a shut-off one's disks; ``disk_only`` makes new overlay
        files instead (external), ``memspec="/path/vm.mem"`` saves the memory to a file.
        ``diskspec`` (one or a list): ``"vda,snapshot=external,file=/path/overlay.qcow2"``.
        ``print_xml`` only shows the <domainsnapshot> document.
        """
        from .snapshot_results import SnapshotMessage
        from .snapshot_xml import create_as_document, parse_diskspec, parse_memspec

        specs = [diskspec] if isinstance(diskspec, str) else diskspec
        if specs is not None and not (isinstance(specs, (list, tuple)) and all(isinstance(d, str) for d in specs)):
            raise InvalidInput(_("expected --diskspec as text or a list of text, got {type}").format(
                type=type(diskspec).__name__),
                               hint=_("diskspec='vda,snapshot=external' or a list of such strings, one per disk"))
        flags, flag_text = create_flags(no_metadata=no_metadata, halt=halt, disk_only=disk_only,
                                         reuse_ext=reuse_external, quiesce=quiesce, atomic=atomic, live=live,
                                         validate=validate)
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        name = snapshot_name(name, "name")
        if description is not None:
            description = require_option(description, "description")
        mem = parse_memspec(require_option(memspec, "memspec")) if memspec is not None else None
        disks = [parse_diskspec(d) for d in specs] if specs is not None else None
        doc = create_as_document(name, description, mem, disks)
        line = virsh_line("snapshot-create-as", *words(domain, name, description if name is not None else None),
                          description=description if name is None else None, print_xml=print_xml,
                          no_metadata=no_metadata, halt=halt, disk_only=disk_only, reuse_external=reuse_external,
                          quiesce=quiesce, atomic=atomic, live=live, validate=validate, memspec=memspec)
        line += "".join(f" --diskspec {shlex.quote(d)}" for d in specs or ())
        if print_xml:
            return Xml(xml=doc + "\n", virsh=line, api=api)
        _utf8(doc)
        snap = self._create_snapshot(dom, doc, flags, flag_text, api)
        with libvirt_errors():
            made = snap.getName()
        return SnapshotMessage(message=f"Domain snapshot {made} created", domain=dom.name(), snapshot=made,
                               newline=False, virsh=line, api=api)

    def _create_snapshot(self, dom: libvirt.virDomain, doc: str, flags: int, flag_text: str,
                         api: list[str]) -> libvirt.virDomainSnapshot:
        """virshSnapshotCreate: create; without --validate where the driver lacks it; --halt emulated
        (destroy after a plain snapshot) where the driver refuses the flag."""
        api.append(f"snap = dom.snapshotCreateXML(xml, {flag_text})")
        try:
            with libvirt_errors(hints=SNAPSHOT_HINTS):
                return dom.snapshotCreateXML(doc, flags)
        except KvmlabError as err:
            code, first = err.libvirt_code, err
        if code == libvirt.VIR_ERR_NO_SUPPORT and flags & libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE:
            flags &= ~libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE
            with libvirt_errors(hints=SNAPSHOT_HINTS):
                return dom.snapshotCreateXML(doc, flags)
        if code != libvirt.VIR_ERR_INVALID_ARG or not flags & libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_HALT:
            raise first
        with libvirt_errors():
            persistent, active = dom.isPersistent(), dom.isActive() == 1
        if not persistent:
            raise InvalidInput("cannot halt after snapshot of transient domain",  # i18n: virsh's own words
                               hint=_("a transient domain is gone once it stops: take the snapshot without --halt"))
        with libvirt_errors(hints=SNAPSHOT_HINTS):
            snap = dom.snapshotCreateXML(doc, flags & ~libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_HALT)
        if active:
            with libvirt_errors():
                dom.destroy()
            api.append("dom.destroy()  # --halt, emulated")
        return snap
