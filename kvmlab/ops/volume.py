"""Volume operations: virsh vol-list, vol-create-as, vol-info, vol-delete, vol-dumpxml on libvirt-python.

vol-clone and vol-resize are in :mod:`.volume_clone`, vol-upload and vol-download in :mod:`.volume_transfer`."""

from __future__ import annotations


import libvirt

from ..errors import KvmlabError, attempt, libvirt_errors, suppressed
from ..render import virsh_fields
from ..render.l10n import tr
from ..units import pretty_capacity
from ..i18n import L_, N_, _
from .calls import virsh_line
from .lookup import first_found, not_found, unreadable
from .pool_lookup import VOL_TYPES, lookup_pool, lookup_volume
from .result import Xml
from .volume_results import VolInfo, VolList, VolMessage, VolSummary  # with the first volume command, as this module
from .vsh import name_order, require_option
from .xpath import dump_text, require_xpath

__all__ = ["VolumeOps"]


def _vol_type(code: int) -> str:
    return VOL_TYPES[code] if 0 <= code < len(VOL_TYPES) else "unknown"


class VolumeOps:
    """Mixin for kvmlab.Connection: the storage volume commands of virsh."""

    virconn: libvirt.virConnect

    def vol_list(self, pool: str, details: bool = False) -> VolList:
        """virsh vol-list POOL [--details]: the volumes of a running pool, sorted by name."""
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        hints = {"not active": L_("volumes are listed for running pools only: `virsh pool-start {pool}` first", pool=pool)}
        with libvirt_errors("Failed to list volumes", hints=hints):
            vols = sorted(p.listAllVolumes(0), key=lambda v: name_order(v.name()))
        api.append("pool.listAllVolumes(0)")

        summaries = []
        for v in vols:
            s = VolSummary(name=v.name(), path=attempt(v.path, default="unknown"))
            with suppressed():
                kind, s.capacity, s.allocation = v.info()
                s.type = _vol_type(kind)
            summaries.append(s)
        api.append("vol.name(); vol.path()" + ("; vol.info()" if details else "") + "  # per volume")
        if details:
            header = ("Name", "Path", "Type", "Capacity", "Allocation")
            rows = [(s.name, s.path, s.type or "unknown",
                     *("unknown" if n is None else pretty_capacity(n) for n in (s.capacity, s.allocation)))
                    for s in summaries]
        else:
            header, rows = ("Name", "Path"), [(s.name, s.path) for s in summaries]
        return VolList(header=header, rows=rows, pool=p.name(), volumes=summaries, api=api,
                       virsh=lambda: virsh_line("vol-list", pool, details=details))

    def vol_create_as(self, pool: str, name: str, capacity: str | int, allocation: str | int | None = None,
                      format: str | None = None, backing_vol: str | None = None,
                      backing_vol_format: str | None = None, prealloc_metadata: bool = False,
                      print_xml: bool = False) -> VolMessage | Xml:
        """virsh vol-create-as POOL NAME CAPACITY: create a volume.

        Sizes as virsh reads them: ``"1G"`` = ``"1GiB"`` = 1073741824 bytes, ``"1GB"`` = 10**9,
        a bare number (or an int) is bytes. ``allocation`` is what is reserved now (default: all of
        it for a raw file); ``format`` is raw, qcow2 …; ``print_xml`` only shows the XML.
        """
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        name = require_option(name, "name")
        cap_text = require_option(capacity, "capacity")
        from .pool_sizes import vol_size  # vol-create-as's size parser (a regex) loads when it runs

        cap = vol_size(capacity if isinstance(capacity, int) else cap_text)
        alloc = None
        if allocation is not None and str(allocation) != "":  # virsh ignores an empty --allocation
            alloc = vol_size(allocation, "allocation")
        for opt, value in (("format", format), ("backing-vol", backing_vol),
                           ("backing-vol-format", backing_vol_format)):
            if value is not None:
                require_option(value, opt)
        from ..specs.guard import guard_xml  # lxml: loaded with the first vol-create-as
        from .pool_xml import buffer_text, refuse_unsafe, volume_element

        failed = f"Failed to create vol {name}"
        refuse_unsafe(N_("volume name"), name, "<&", failed)
        refuse_unsafe("format", format, "<&'", failed)  # "format" is a msgid of the widgets' section
        refuse_unsafe(N_("backing volume format"), backing_vol_format, "<&'", failed)
        backing_path = None
        if backing_vol is not None:
            backing_path = self._backing_path(p, backing_vol, name, api)
        doc = buffer_text(volume_element(name, cap, alloc, format, backing_path, backing_vol_format))
        line = virsh_line("vol-create-as", pool, name, capacity, allocation=allocation, format=format,
                          backing_vol=backing_vol, backing_vol_format=backing_vol_format,
                          prealloc_metadata=prealloc_metadata, print_xml=print_xml)
        if print_xml:
            return Xml(xml=doc, virsh=line, api=api)
        guard_xml("volume", doc)
        flags = libvirt.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA if prealloc_metadata else 0
        hints = {"not active": L_("volumes are created in running pools: `virsh pool-start {pool}` first", pool=pool),
                 "unknown volume format": N_("formats: raw, qcow2, qcow, qed, vmdk, vdi, vpc, bochs, cow, iso …")}
        with libvirt_errors(f"Failed to create vol {name}", hints=hints):
            vol = p.createXML(doc, flags)

        api.append("vol = pool.createXML(xml, "
                   + ("libvirt.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA)" if flags else "0)"))
        return VolMessage(message=f"Vol {name} created", vol=name, pool=p.name(), path=vol.path(),
                          virsh=line, api=api)

    def _backing_path(self, p: libvirt.virStoragePool, ref: str, new_name: str, api: list[str]) -> str:
        """cmdVolCreateAs's backing volume: by name in the pool, then key, then path."""
        virconn = self.virconn
        ways = [(p.storageVolLookupByName, ref, "backing = pool.storageVolLookupByName"),
                (virconn.storageVolLookupByKey, ref, "backing = conn.storageVolLookupByKey"),
                (virconn.storageVolLookupByPath, ref, "backing = conn.storageVolLookupByPath")]
        unmatched = None
        if unreadable(ref):  # no volume is called so; libvirt's last try, by path, is the reason virsh shows
            ways, unmatched = [], (f"Storage volume not found: no storage vol with matching path '{ref}'",
                                   libvirt.VIR_ERR_NO_STORAGE_VOL)
        backing, last = first_found(ways, api)
        if backing is None:
            raise not_found(f"failed to get vol '{ref}'",
                            _("`virsh vol-list {pool}` lists the volumes a backing volume can be").format(pool=p.name()),
                            last, unmatched)
        with libvirt_errors():
            path = backing.path()
        from .pool_xml import refuse_unsafe

        refuse_unsafe(N_("backing volume path"), path, "<&", f"Failed to create vol {new_name}")
        return path

    def vol_info(self, vol: str, pool: str | None = None, bytes: bool = False, physical: bool = False) -> VolInfo:
        """virsh vol-info VOL [--pool POOL]: type, capacity and allocation (``physical``: size on disk)."""
        api: list[str] = []
        v, _p = lookup_volume(self.virconn, vol, pool, api)
        name = v.name()
        try:
            with libvirt_errors():
                if physical:
                    kind, capacity, allocation = v.infoFlags(libvirt.VIR_STORAGE_VOL_GET_PHYSICAL)
                else:
                    kind, capacity, allocation = v.info()
        except KvmlabError as err:
            err.partial_stdout = virsh_fields([(tr("Name:"), name)])  # virsh printed the Name line already
            raise
        api.append("vol.infoFlags(libvirt.VIR_STORAGE_VOL_GET_PHYSICAL)" if physical else "vol.info()")
        line = virsh_line("vol-info", vol, pool=pool, bytes=bytes, physical=physical)

        return VolInfo(name=name, type=_vol_type(kind), capacity=capacity, allocation=allocation,
                       physical=physical, in_bytes=bytes, virsh=line, api=api)

    def vol_delete(self, vol: str, pool: str | None = None, delete_snapshots: bool = False) -> VolMessage:
        """virsh vol-delete VOL [--pool POOL]: delete the volume and its data."""
        api: list[str] = []
        v, p = lookup_volume(self.virconn, vol, pool, api)
        path, owner = v.path(), (p.name() if p is not None else "")
        flags = libvirt.VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS if delete_snapshots else 0
        with libvirt_errors(f"Failed to delete vol {vol}"):
            v.delete(flags)
        api.append("vol.delete(" + ("libvirt.VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS)" if flags else "0)"))
        line = virsh_line("vol-delete", vol, pool=pool, delete_snapshots=delete_snapshots)

        return VolMessage(message=f"Vol {vol} deleted", vol=vol, pool=owner, path=path, virsh=line, api=api)

    def vol_dumpxml(self, vol: str, pool: str | None = None, xpath: str | None = None, wrap: bool = False) -> Xml:
        """virsh vol-dumpxml VOL [--pool POOL]: the volume's XML."""
        api: list[str] = []
        v, _p = lookup_volume(self.virconn, vol, pool, api)
        require_xpath(xpath, "/volume/target/path")
        with libvirt_errors():
            xml = v.XMLDesc(0)
        api.append("vol.XMLDesc(0)")
        line = virsh_line("vol-dumpxml", vol, pool=pool, xpath=xpath, wrap=wrap)
        return Xml(xml=dump_text(xml, xpath, wrap), virsh=line, api=api)
