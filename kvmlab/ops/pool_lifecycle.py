"""A pool's life: pool-define / pool-create (from XML), pool-build, pool-start, pool-destroy,
pool-delete, pool-undefine, pool-autostart.

define registers a pool (inactive, persistent); build prepares its storage (a dir pool: creates the
directory); start activates it; destroy stops it (the data stays); delete removes a stopped pool's
storage (a dir pool: its empty directory); undefine forgets the definition.
create = start a transient pool from XML, keeping no definition: it vanishes when stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, ContextManager

import libvirt

from ..errors import InvalidInput, libvirt_errors
from ..i18n import L_, N_, _
from .calls import libvirt_flags, virsh_line
from .pool_lookup import lookup_pool
from .vsh import exclusive

if TYPE_CHECKING:
    from .define import XmlInput
    from .pool_results import PoolMessage
    from .source import XmlSource

__all__ = ["PoolLifecycleOps", "XML_HINT", "pool_message"]

XML_HINT = N_("a pool definition looks like <pool type='dir'><name>NAME</name><target><path>/DIR</path>"
            "</target></pool>; `virsh pool-dumpxml default` shows a complete one")

_DEFINE_HINTS = {
    "missing storage pool target path": N_("a dir pool needs <target><path>/some/dir</path></target> "
                                           "(pool-build creates that directory)"),
    "XML error": XML_HINT,
    "(storage_pool_definition)": XML_HINT,
}


def pool_message(**fields) -> PoolMessage:
    """The confirmation line; the pool results load with the first pool command, not at start-up."""
    from .pool_results import PoolMessage

    return PoolMessage(**fields)


def _when_active(hint: str) -> dict[str, str]:
    """The test driver says a pool "is active"; the real storage driver "is already" / "is still active"."""
    return {"is active": hint, "already active": hint, "still active": hint}


def _start_hints(name: str) -> dict[str, str]:
    build = L_("the pool's target directory does not exist yet: `virsh pool-build {name}` creates it, "
               "then `virsh pool-start {name}`", name=name)
    return {
        **_when_active(L_("pool '{name}' is already running (`virsh pool-info {name}` shows its state)", name=name)),
        "No such file or directory": build,
        "cannot open directory": build,
        "does not exist": build,
    }


class PoolLifecycleOps:
    """pool-define, pool-create, pool-build, pool-start, pool-destroy, pool-delete, pool-undefine, pool-autostart."""

    virconn: libvirt.virConnect

    def pool_define(self, source: XmlSource, validate: bool = False) -> PoolMessage:
        """virsh pool-define FILE: register a persistent, inactive pool from XML.

        ``source`` is an XML file path, an XML string or a spec object (``.to_xml()``).
        """
        from .define import XmlCommand  # lxml and the specs load on the first define, not before

        flags = libvirt.VIR_STORAGE_POOL_DEFINE_VALIDATE if validate else 0
        command = XmlCommand("pool", "define", "pool-define", (("validate", validate),))
        pool, inp, line = command.run(
            source, lambda xml: self.virconn.storagePoolDefineXML(xml, flags),
            lambda _inp, failed: libvirt_errors(failed, hints=_DEFINE_HINTS, hint=XML_HINT),
            _not_a_name_hint(source, "define"), virconn=self.virconn)
        name = pool.name()
        flag_text = "libvirt.VIR_STORAGE_POOL_DEFINE_VALIDATE" if validate else "0"
        return pool_message(message=f"Pool {name} defined{inp.origin}", pool=name, virsh=line,
                           api=[f"pool = conn.storagePoolDefineXML(xml, {flag_text})"])

    def pool_create(self, source: XmlSource, build: bool = False, overwrite: bool = False,
                    no_overwrite: bool = False) -> PoolMessage:
        """virsh pool-create FILE: start a transient pool from XML (gone once destroyed)."""
        from .define import XmlCommand, require_file

        require_file(source)
        _no_both(overwrite, no_overwrite)
        flags, names = _create_flags(build, overwrite, no_overwrite)

        def errors(inp: XmlInput, failed: str) -> ContextManager[None]:
            missing = L_("the pool's target directory does not exist: `virsh pool-create {file} "
                         "--build` creates it (or pool-define, pool-build, pool-start for a persistent pool)",
                         file=inp.label or "FILE")
            hints = {**_DEFINE_HINTS, "No such file or directory": missing, "cannot open directory": missing}
            return libvirt_errors(failed, hints=hints, hint=XML_HINT)

        options = (("build", build), ("no_overwrite", no_overwrite), ("overwrite", overwrite))
        pool, inp, line = XmlCommand("pool", "create", "pool-create", options).run(
            source, lambda xml: self.virconn.storagePoolCreateXML(xml, flags), errors,
            _not_a_name_hint(source, "create"), virconn=self.virconn)
        name = pool.name()
        return pool_message(message=f"Pool {name} created{inp.origin}", pool=name, virsh=line,
                           api=[f"pool = conn.storagePoolCreateXML(xml, {names})"])

    def pool_build(self, pool: str, overwrite: bool = False, no_overwrite: bool = False) -> PoolMessage:
        """virsh pool-build: prepare a stopped pool's storage (a dir pool: create its directory)."""
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        flags, flag_text = libvirt_flags(name for on, name in ((no_overwrite, "VIR_STORAGE_POOL_BUILD_NO_OVERWRITE"),
                                                               (overwrite, "VIR_STORAGE_POOL_BUILD_OVERWRITE")) if on)
        hints = _when_active(L_("pool '{pool}' is running, so its storage exists already; pool-build is for a "
                                "stopped pool (`virsh pool-destroy {pool}` first if you really mean to rebuild)",
                                pool=pool))
        with libvirt_errors(f"Failed to build pool {pool}", hints=hints):
            p.build(flags)
        api.append(f"pool.build({flag_text})")
        return pool_message(message=f"Pool {pool} built", pool=p.name(), api=api,
                           virsh=lambda: virsh_line("pool-build", pool, no_overwrite=no_overwrite, overwrite=overwrite))

    def pool_start(self, pool: str, build: bool = False, overwrite: bool = False,
                   no_overwrite: bool = False) -> PoolMessage:
        """virsh pool-start: activate a defined pool (``build``: pool-build it first)."""
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        _no_both(overwrite, no_overwrite)
        flags, names = _create_flags(build, overwrite, no_overwrite)
        with libvirt_errors(f"Failed to start pool {pool}", hints=_start_hints(pool)):
            p.create(flags)
        api.append(f"pool.create({names})")
        return pool_message(message=f"Pool {pool} started", pool=p.name(), api=api,
                           virsh=lambda: virsh_line("pool-start", pool, build=build, no_overwrite=no_overwrite,
                                            overwrite=overwrite))

    def pool_destroy(self, pool: str) -> PoolMessage:
        """virsh pool-destroy: stop a running pool. Its data stays; pool-undefine deletes the definition."""
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        hints = {"is not active": L_("pool '{pool}' is already stopped. pool-destroy stops a running pool (the data "
                                     "stays); pool-undefine deletes a stopped pool's definition", pool=pool)}
        with libvirt_errors(f"Failed to destroy pool {pool}", hints=hints):
            p.destroy()
        api.append("pool.destroy()")
        return pool_message(message=f"Pool {pool} destroyed", pool=p.name(), api=api,
                           virsh=lambda: virsh_line("pool-destroy", pool))

    def pool_undefine(self, pool: str) -> PoolMessage:
        """virsh pool-undefine: delete a stopped pool's definition (the files stay)."""
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        hints = _when_active(L_("pool-undefine deletes the definition of a STOPPED pool: run "
                                "`virsh pool-destroy {pool}` first (pool-destroy stops, pool-undefine deletes)",
                                pool=pool))
        name = p.name()
        with libvirt_errors(f"Failed to undefine pool {pool}", hints=hints):
            p.undefine()
        api.append("pool.undefine()")
        return pool_message(message=f"Pool {pool} has been undefined", pool=name, api=api,
                           virsh=lambda: virsh_line("pool-undefine", pool))

    def pool_delete(self, pool: str) -> PoolMessage:
        """virsh pool-delete: remove a STOPPED pool's storage (a dir pool: its directory, which must be
        empty). The definition stays (pool-undefine deletes that); pool-destroy only stops a pool."""
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        hints = {**_when_active(L_("pool-delete removes the storage of a STOPPED pool: run `virsh pool-destroy "
                                   "{pool}` first (destroy stops, delete removes the storage, undefine forgets it)",
                                   pool=pool)),
                 "not empty": L_("a dir pool's directory is removed only when empty: delete its volumes first "
                                 "(`virsh vol-list {pool}` while it runs, then vol-delete each)", pool=pool)}
        with libvirt_errors(f"Failed to delete pool {pool}", hints=hints):
            p.delete(0)
        api.append("pool.delete(0)")
        return pool_message(message=f"Pool {pool} deleted", pool=p.name(), api=api,
                           virsh=lambda: virsh_line("pool-delete", pool))

    def pool_autostart(self, pool: str, disable: bool = False) -> PoolMessage:
        """virsh pool-autostart [--disable]: start the pool when the host boots (or stop doing so).

        libvirt autostarts once per boot: at the first start of libvirtd (or virtstoraged) after a boot,
        which leaves /run/libvirt/storage/autostarted behind; a later daemon restart starts nothing
        (virDriverShouldAutostart). The mark does not start the pool now.
        """
        api: list[str] = []
        p = lookup_pool(self.virconn, pool, api)
        verb = "unmark" if disable else "mark"
        hints = {"no config file": N_("only a persistent pool (pool-define) can autostart; this one came from "
                                      "pool-create and is transient")}
        with libvirt_errors(f"failed to {verb} pool {pool} as autostarted", hints=hints):
            p.setAutostart(0 if disable else 1)
        api.append(f"pool.setAutostart({0 if disable else 1})")
        return pool_message(message=f"Pool {pool} {verb}ed as autostarted", pool=p.name(), api=api,
                           virsh=lambda: virsh_line("pool-autostart", pool, disable=disable))


def _not_a_name_hint(source: XmlSource, verb: str) -> Callable[[InvalidInput], None]:
    """For an unreadable FILE that looks like a pool's name: define takes a file, start takes a name."""

    def rewrite(err: InvalidInput) -> None:
        if isinstance(source, str) and "/" not in source and not source.endswith(".xml"):
            err.hint = _("pool-{verb} takes an XML FILE, not a pool name: save a definition first "
                         "(`virsh pool-dumpxml default > {source}.xml`, edit <name>, <uuid>, <path>) and pass "
                         "the file; to start an existing pool use `virsh pool-start {source}`").format(
                verb=verb, source=source)

    return rewrite


def _no_both(overwrite: bool, no_overwrite: bool) -> None:
    exclusive("overwrite", overwrite, "no-overwrite", no_overwrite,
              N_("--overwrite formats over existing data, --no-overwrite refuses to; pick one"))


def _create_flags(build: bool, overwrite: bool, no_overwrite: bool) -> tuple[int, str]:
    return libvirt_flags(name for on, name in ((build, "VIR_STORAGE_POOL_CREATE_WITH_BUILD"),
                                               (overwrite, "VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE"),
                                               (no_overwrite, "VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE")) if on)


