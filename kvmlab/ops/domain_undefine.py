"""virsh undefine: delete a domain's definition, optionally with its storage volumes (cmdUndefine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import libvirt

from ..errors import ConnectionFailed, InvalidInput, KvmlabError, OperationFailed, attempt, libvirt_errors
from ..render.l10n import tr_line
from ..i18n import L_, N_, _
from .calls import flag_names, libvirt_flags, virsh_line
from .domain_lookup import lookup_domain
from .domain_results import DomainMessage
from .vsh import exclusive, split_list

__all__ = ["DomainUndefineOps", "UndefineResult"]

# the options that are VIR_DOMAIN_UNDEFINE_* flags as they are
_FLAG_OPTIONS = ("managed_save", "snapshots_metadata", "checkpoints_metadata", "nvram", "keep_nvram", "tpm",
                 "keep_tpm")
_FLAG_NAMES = tuple(f"VIR_DOMAIN_UNDEFINE_{key.upper()}" for key in _FLAG_OPTIONS)

_SOURCE = "string(./source/@file|./source/@dir|./source/@name|./source/@dev|./source/@volume)"


@dataclass
class UndefineResult(DomainMessage):
    """``undefine``'s lines; ``removed`` lists the deleted volumes' paths.

    ``warnings`` are the ``error:`` lines virsh prints while still succeeding
    (e.g. a disk that no storage pool manages, which stays on disk).
    """

    l10n = False  # its chunks are translated as virsh writes them (see _delete_volumes)

    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _check_options(o: dict) -> None:
    if o["delete_storage_volume_snapshots"] and not o["remove_all_storage"]:
        raise InvalidInput("Option --remove-all-storage is required by option --delete-storage-volume-snapshots",  # i18n: virsh's own words
                           hint=_("deleting volume snapshots only makes sense together with --remove-all-storage"))
    for a in ("nvram", "tpm"):
        exclusive(a, o[a], f"keep-{a}", o[f"keep_{a}"],
                  L_("choose one: remove the {state} state or keep it", state=a.upper()))


class DomainUndefineOps:
    """virsh undefine."""

    virconn: libvirt.virConnect

    def undefine(
        self,
        domain: str,
        *,
        managed_save: bool = False,
        storage: str | Sequence[str] | None = None,
        remove_all_storage: bool = False,
        delete_storage_volume_snapshots: bool = False,
        wipe_storage: bool = False,
        snapshots_metadata: bool = False,
        checkpoints_metadata: bool = False,
        nvram: bool = False,
        keep_nvram: bool = False,
        tpm: bool = False,
        keep_tpm: bool = False,
    ) -> UndefineResult:
        """virsh undefine: delete the definition. A running domain keeps running, as a transient one.

        ``remove_all_storage=True`` (or ``storage="vda,…"``) also deletes the disks' volumes
        (only for a shut-off domain).
        """
        opts = dict(locals())
        _check_options(opts)
        vol_string = storage if isinstance(storage, str) or storage is None else ",".join(
            s.replace(",", ",,") for s in storage)
        vol_string = vol_string or None  # virsh ignores an empty --storage
        if not (vol_string or remove_all_storage) and wipe_storage:
            raise InvalidInput("'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'",  # i18n: virsh's own words
                               hint=_("say which volumes to wipe: storage='vda' or remove_all_storage=True"))
        flags, _code = libvirt_flags(f"VIR_DOMAIN_UNDEFINE_{key.upper()}" for key in _FLAG_OPTIONS if opts[key])
        api: list[str] = []
        dom = lookup_domain(self.virconn, domain, api)
        typed = str(domain)
        virsh = virsh_line("undefine", domain, **{k: (vol_string if k == "storage" else v)
                                                  for k, v in opts.items() if k not in ("self", "domain")})
        api.append("dom.isActive(); dom.hasManagedSaveImage(0); dom.snapshotNum(0)")
        with libvirt_errors():
            running = bool(dom.isActive())
            has_save = has_snaps = has_meta = 0
            save_safe = snaps_safe = False
            if managed_save:
                save_safe = True
            if snapshots_metadata:
                snaps_safe = True
            if not running:
                has_save = self._count(lambda: dom.hasManagedSaveImage(0))
                has_snaps = self._count(lambda: dom.snapshotNum(0))
                if has_snaps:
                    has_meta = attempt(dom.snapshotNum, libvirt.VIR_DOMAIN_SNAPSHOT_LIST_METADATA)
                    if has_meta is None:
                        has_meta = has_snaps
                    else:
                        save_safe = snaps_safe = True
        if not has_save:
            flags &= ~libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
            save_safe = True
        if not has_snaps:
            snaps_safe = True
        if not has_meta:
            flags &= ~libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
            snaps_safe = True
        warnings: list[str] = []
        vols: list[tuple[str, str, libvirt.virStorageVol]] = []
        if vol_string or remove_all_storage:
            vols = self._volumes(dom, running, vol_string, remove_all_storage, warnings, api)
        self._undefine_call(dom, typed, flags, has_save, has_meta, save_safe and snaps_safe,
                            managed_save, snapshots_metadata, nvram, warnings, api)
        out = [tr_line(f"Domain '{typed}' has been undefined\n")]
        return self._delete_volumes(dom.name(), out, vols, wipe_storage, delete_storage_volume_snapshots,
                                    warnings, virsh, api)

    @staticmethod
    def _count(call) -> int:
        return attempt(call, default=0, codes=[libvirt.VIR_ERR_NO_SUPPORT])

    def _volumes(self, dom, running, vol_string, remove_all, warnings, api):
        """The disks' volumes to delete, as (target, source, vol); unmanaged disks become warnings."""
        if running:
            raise InvalidInput("Storage volume deletion is supported only on stopped domains",  # i18n: virsh's own words
                               hint=_("shut the domain down first (`virsh shutdown` or `virsh destroy`)"))
        if vol_string and remove_all:
            raise InvalidInput("Specified both --storage and --remove-all-storage",  # i18n: virsh's own words
                               hint=_("either name the volumes (storage=) or remove all of them"))
        api.append("dom.XMLDesc(0)  # its disks; conn.storageVolLookupByPath(source) for each")
        from lxml import etree  # only to find the disks of --storage / --remove-all-storage

        from ..specs.parser import xml_parser

        with libvirt_errors():
            xml = dom.XMLDesc(0)
        root = etree.fromstring(xml.encode(), xml_parser())
        wanted = split_list(vol_string) if vol_string else None
        vols = []
        for disk in root.xpath("./devices/disk"):
            target, source = disk.xpath("string(./target/@dev)"), disk.xpath(_SOURCE)
            pool = disk.xpath("string(./source/@pool)")
            if not target:
                raise OperationFailed(_("a disk without <target dev=...>"), hint=_("fix the domain's disks first"),
                                      virsh_error=[])
            if not source:
                continue
            if wanted is not None:
                hit = next((i for i, w in enumerate(wanted) if w is not None and w in (target, source)), None)
                if hit is None:
                    continue
                wanted[hit] = None
            pool_obj = attempt(self.virconn.storagePoolLookupByName, pool) if pool else None
            if pool and pool_obj is None:
                warnings.append(f"Storage pool '{pool}' for volume '{target}' not found.")
                continue
            vol = (attempt(pool_obj.storageVolLookupByName, source) if pool_obj is not None
                   else attempt(self.virconn.storageVolLookupByPath, source))
            if vol is None:
                warnings.append(f"Storage volume '{target}'({source}) is not managed by libvirt. "
                                "Remove it manually.\n")
                continue
            vols.append((target, source, vol))
        missing = [w for w in wanted or [] if w is not None]
        if missing:
            raise InvalidInput(
                "; ".join(_("volume {name} is not a disk of this domain").format(name=repr(m)) for m in missing),
                hint=_("name disks by target (vda) or source path, as `virsh domblklist` shows them"),
                virsh_error=warnings + [f"Volume '{m}' was not found in domain's definition.\n" for m in missing],
            )
        return vols

    def _undefine_call(self, dom, typed, flags, has_save, has_meta, safe, managed_save, snapshots_metadata,
                       nvram, warnings, api) -> None:
        prefix = warnings + [f"Failed to undefine domain '{typed}'"]
        hint = N_("a domain with snapshots or a managed save needs snapshots_metadata=True / managed_save=True")
        if safe or nvram:
            api.append(f"dom.undefineFlags({flag_names(flags, _FLAG_NAMES)})")
            # without nvram, a driver that lacks the flags (NO_SUPPORT, INVALID_ARG) gets the plain calls below
            codes = () if nvram else (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_INVALID_ARG)
            with libvirt_errors(*prefix, hint=hint, ignore=codes):
                dom.undefineFlags(flags)
                return
        with libvirt_errors(*prefix, hint=hint):
            if has_save:
                if not managed_save:
                    raise OperationFailed("Refusing to undefine while domain managed save image exists",  # i18n: virsh's own words
                                          hint=_("pass managed_save=True (virsh: --managed-save) to drop it too"),
                                          virsh_error=warnings + ["Refusing to undefine while domain managed "
                                                                  "save image exists"])
                dom.managedSaveRemove(0)
            if has_meta:
                msg = (f"Unable to remove metadata of {has_meta} snapshots" if snapshots_metadata
                       else f"Refusing to undefine while {has_meta} snapshots exist")
                raise OperationFailed(msg, hint=hint, virsh_error=warnings + [msg])
            api.append("dom.undefine()")
            dom.undefine()

    def _delete_volumes(self, name, out, vols, wipe, with_snapshots, warnings, virsh, api) -> UndefineResult:
        """Delete (and wipe) each volume; ``out`` holds stdout chunks exactly as virsh writes them."""
        errors: list[str] = []
        last: KvmlabError | None = None
        removed = []
        vol_flags = libvirt.VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS if with_snapshots else 0
        for target, source, vol in vols:
            if wipe:
                out.append(tr_line(f"Wiping volume '{target}'({source}) ... "))
                try:
                    api.append("vol.wipe(0)")
                    with libvirt_errors():
                        vol.wipe(0)
                    out.append(tr_line("Done.\n"))
                except ConnectionFailed:
                    raise
                except KvmlabError as exc:
                    last = exc
                    errors.append("Failed! Volume not removed.")
                    continue
            try:
                api.append(f"vol.delete({vol_flags})")
                with libvirt_errors():
                    vol.delete(vol_flags)
                out.append(tr_line(f"Volume '{target}'({source}) removed.\n"))
                removed.append(source)
            except ConnectionFailed:
                raise
            except KvmlabError as exc:
                last = exc
                errors.append(f"Failed to remove storage volume '{target}'({source})")
        text = "".join(out)
        result = UndefineResult(text[:-1], name=name, removed=removed, warnings=warnings, virsh=virsh, api=api)
        if not errors:
            return result
        err: KvmlabError = OperationFailed(
            _("the domain is undefined but {n} volume(s) could not be removed").format(n=len(errors)),
            hint=_("see `virsh vol-list <pool>`; delete leftovers with `virsh vol-delete`"),
            virsh_error=warnings + errors + ([last.message] if last else []),
        )
        err.partial_stdout = text
        raise err
