"""How the network commands find a network and report failures, in virsh's words plus a hint."""

from __future__ import annotations

import contextlib
from typing import Iterator, Mapping, Sequence

import libvirt

from ..errors import InvalidInput, KvmlabError, NotFound, Unsupported, map_libvirt_error

__all__ = [
    "lookup_network",
    "empty_option",
    "network_failure",
    "prefix_error",
    "flag_names",
    "DEFINE_HINTS",
    "LIST_HINT",
]

LIST_HINT = "list the networks with `virsh net-list --all` (kvmlab: conn.net_list(all=True))"

# libvirt codes that mean "your XML / request is wrong" but errors.py files elsewhere.
_CLASS_BY_CODE: dict[int, type[KvmlabError]] = {
    libvirt.VIR_ERR_NO_NAME: InvalidInput,
    libvirt.VIR_ERR_XML_INVALID_SCHEMA: InvalidInput,
}

# Why libvirt refused a network document, and what to do about it (net-define / net-create).
DEFINE_HINTS: dict[int, str] = {
    libvirt.VIR_ERR_XML_DETAIL: "the file is not well-formed XML: fix it at the line and caret shown "
    "(`virsh net-dumpxml default` prints a well-formed example)",
    libvirt.VIR_ERR_NO_NAME: "a network needs a name: <network><name>lab</name>...</network>",
    libvirt.VIR_ERR_XML_ERROR: "libvirt expects a <network> document here; compare with `virsh net-dumpxml default`",
    libvirt.VIR_ERR_XML_INVALID_SCHEMA: "the document breaks libvirt's network schema (network.rng): fix or "
    "remove the element named above; without --validate unknown elements are silently dropped",
    libvirt.VIR_ERR_OPERATION_FAILED: "that name is taken by a network with another UUID: choose another "
    "<name>, or give the existing UUID to modify that network",
}


def empty_option(option: str, example: str) -> InvalidInput:
    """virsh's check on an empty string argument, made before anything else."""
    return InvalidInput(
        f"Failed to get option '{option}': Option argument is empty",
        hint=f"give a value, e.g. `virsh {example}`",
    )


def lookup_network(virconn: libvirt.virConnect, ref: str) -> tuple[libvirt.virNetwork, str]:
    """Find a network as virsh does (UUID if 36 bytes long, then name); return it and the API call.

    Raises:
        InvalidInput: ``ref`` is empty.
        NotFound: no such network (virsh's two lines: its own, then libvirt's).
    """
    ref = str(ref)
    if not ref:
        raise empty_option("network", "net-info default")
    if len(ref.encode()) == 36:
        try:
            return virconn.networkLookupByUUIDString(ref), f"net = conn.networkLookupByUUIDString({ref!r})"
        except libvirt.libvirtError:
            pass  # virsh then tries the name; only that error is shown
    try:
        return virconn.networkLookupByName(ref), f"net = conn.networkLookupByName({ref!r})"
    except libvirt.libvirtError as exc:
        err = NotFound(
            f"failed to get network '{ref}'",
            hint=f"no network is called '{ref}': {LIST_HINT}",
            virsh_error=[f"failed to get network '{ref}'", exc.get_error_message() or "unknown error"],
        )
        err.libvirt_code = exc.get_error_code()
        raise err from exc


@contextlib.contextmanager
def network_failure(
    *prefix: str, hints: Mapping[int, str] | None = None, hint: str = ""
) -> Iterator[None]:
    """Map a libvirtError to a KvmlabError: virsh's own ``prefix`` lines, then libvirt's message.

    ``hints`` picks the teaching line by libvirt error code; ``hint`` is the fallback.
    """
    try:
        yield
    except libvirt.libvirtError as exc:
        code = exc.get_error_code()
        err = map_libvirt_error(exc, prefix, (hints or {}).get(code, hint))
        cls = _CLASS_BY_CODE.get(code)
        if "unsupported flags" in err.message:
            cls = Unsupported
        if cls is not None and type(err) is not cls:
            err = _recast(err, cls, code)
        raise err from exc


def _recast(err: KvmlabError, cls: type[KvmlabError], code: int) -> KvmlabError:
    new = cls(err.message, hint=err.hint, virsh_error=err.virsh_error)
    new.libvirt_code = code
    return new


def prefix_error(err: KvmlabError, *prefix: str) -> KvmlabError:
    """Put virsh's own lines (``Failed to define network from x.xml``) before ``err``'s lines."""
    return type(err)(err.message, hint=err.hint, virsh_error=[*prefix, *err.virsh_error])


def flag_names(flags: int, names: Sequence[str]) -> str:
    """``libvirt.VIR_..._ACTIVE | libvirt.VIR_..._INACTIVE``: the flags set, for the .api lines."""
    return " | ".join(f"libvirt.{n}" for n in names if flags & getattr(libvirt, n)) or "0"
