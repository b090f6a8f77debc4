"""virsh's domain commands: option tables (as in virsh 9.0's tools/virsh-domain*.c) bound to DomainOps.

Where virsh prints on both streams within one command (a partial result then an error, warnings on
success, the ``edit`` no-terminal quirk), the handler writes those extra bits itself.
"""

from __future__ import annotations

from ..errors import FAILED, EditRejected, KvmlabError
from ..ops.result import Message, Result
from ..render.l10n import tr_line
from .parse import ALIAS, BOOL, DATA, STRING, Command, Opt, bool_options
from .streams import current, say_errors, xpath_quirk

__all__ = ["COMMANDS"]


def FilePath(path: str):  # noqa: N802 - ops.domain_define's FilePath, its module loaded when a file is given
    from ..ops.domain_define import FilePath

    return FilePath(path)


def _domain(name: str, help: str = "domain name, id or uuid") -> Opt:
    return Opt(name, DATA, required=True, help=help)


# --- console (start/create --console): virsh's console on this terminal, as `console` runs it ---

def _console(conn, name: str) -> None:
    from .commands_monitor import run_console  # the monitor commands' table loads with a console

    run_console(conn, name)


def _with_console(result: Result, conn, name: str, fail: bool) -> Result:
    """Print the started/created line, then try the console like cmdRunConsole."""
    current().out.write(str(result))
    try:
        _console(conn, name)
    except KvmlabError as err:
        if fail:
            raise
        # create ignores the console's failure: virsh's own lines still show, libvirt's stay pending
        if err.libvirt_code is None:
            say_errors(err.virsh_error, err.hint)
    return Message()


def _start(conn, v):
    res = conn.start(v["domain"], pass_fds=v.get("pass-fds"),
                     **bool_options(v, "paused", "autodestroy", "bypass-cache", "force-boot", "reset-nvram"))
    return _with_console(res, conn, res.name, True) if v.get("console") else res


def _create(conn, v):
    res = conn.create(FilePath(v["file"]), pass_fds=v.get("pass-fds"),
                      **bool_options(v, "paused", "autodestroy", "validate", "reset-nvram"))
    return _with_console(res, conn, res.name, False) if v.get("console") else res


def _undefine(conn, v):
    res = conn.undefine(v["domain"], storage=v.get("storage"), **bool_options(
        v, "managed-save", "remove-all-storage", "delete-storage-volume-snapshots", "wipe-storage",
        "snapshots-metadata", "checkpoints-metadata", "nvram", "keep-nvram", "tpm", "keep-tpm"))
    if res.warnings:
        say_errors(res.warnings)
    return res


@xpath_quirk
def _dumpxml(conn, v):
    return conn.dumpxml(v["domain"], xpath=v.get("xpath"),
                        **bool_options(v, "inactive", "security-info", "update-cpu", "migratable", "wrap"))


def _edit(conn, v):
    from ..ops.editor import ask_reedit  # the editor's modules load when an edit runs

    def ask(err: EditRejected, relax: bool):
        # on a terminal virsh first reports libvirt's error, then asks "Failed. Try again?"
        return ask_reedit(err.reason, relax, err.virsh_error if err.reason == FAILED else [])

    try:
        return conn.edit_session(v["domain"], ask=ask, **bool_options(v, "skip-validate"))
    except EditRejected as err:
        # no terminal: virsh reports its verdict, then falls through to its success message
        # with a NULL domain (a virsh bug, kept: scripts see exactly this)
        say_errors([err.reason], f"{err.virsh_error[0] if err.virsh_error else err.message} — {err.hint}")
        return Message(tr_line("Domain '(null)' XML configuration edited."))


_LIST_OPTS = [
    ("inactive", "list inactive domains"), ("all", "list inactive & active domains"),
    ("transient", "list transient domains"), ("persistent", "list persistent domains"),
    ("with-snapshot", "list domains with existing snapshot"),
    ("without-snapshot", "list domains without a snapshot"),
    ("with-checkpoint", "list domains with existing checkpoint"),
    ("without-checkpoint", "list domains without a checkpoint"),
    ("state-running", "list domains in running state"), ("state-paused", "list domains in paused state"),
    ("state-shutoff", "list domains in shutoff state"), ("state-other", "list domains in other states"),
    ("autostart", "list domains with autostart enabled"), ("no-autostart", "list domains with autostart disabled"),
    ("with-managed-save", "list domains with managed save state"),
    ("without-managed-save", "list domains without managed save"),
    ("uuid", "list uuid's only"), ("name", "list domain names only"), ("id", "list domain IDs only"),
    ("table", "list table (default)"), ("managed-save", "mark inactive domains with managed save state"),
    ("title", "show domain title"),
]

_MODE = Opt("mode", STRING, help="shutdown mode: acpi|agent|initctl|signal|paravirt")

COMMANDS = [
    Command("list", [Opt(n, BOOL, help=h) for n, h in _LIST_OPTS],
            lambda conn, v: conn.list(**bool_options(v, *(n for n, _ in _LIST_OPTS))), help="list domains"),
    Command("define", [Opt("file", DATA, required=True, help="file containing an XML domain description"),
                       Opt("validate", BOOL, help="validate the XML against the schema")],
            lambda conn, v: conn.define(FilePath(v["file"]), **bool_options(v, "validate")),
            help="define (but don't start) a domain from an XML file"),
    Command("create", [Opt("file", DATA, required=True, help="file containing an XML domain description"),
                       Opt("console", BOOL, help="attach to console after creation"),
                       Opt("paused", BOOL, help="leave the guest paused after creation"),
                       Opt("autodestroy", BOOL, help="automatically destroy the guest when virsh disconnects"),
                       Opt("pass-fds", STRING, help="pass file descriptors N,M,... to the guest"),
                       Opt("validate", BOOL, help="validate the XML against the schema"),
                       Opt("reset-nvram", BOOL, help="re-initialize NVRAM from its pristine template")],
            _create, help="create a domain from an XML file"),
    Command("start", [_domain("domain", "name of the inactive domain"),
                      Opt("console", BOOL, help="attach to console after creation"),
                      Opt("paused", BOOL, help="leave the guest paused after creation"),
                      Opt("autodestroy", BOOL, help="automatically destroy the guest when virsh disconnects"),
                      Opt("bypass-cache", BOOL, help="avoid file system cache when loading"),
                      Opt("force-boot", BOOL, help="force fresh boot by discarding any managed save"),
                      Opt("pass-fds", STRING, help="pass file descriptors N,M,... to the guest"),
                      Opt("reset-nvram", BOOL, help="re-initialize NVRAM from its pristine template")],
            _start, help="start a (previously defined) inactive domain"),
    Command("dominfo", [_domain("domain")], lambda conn, v: conn.dominfo(v["domain"]),
            help="domain information"),
    Command("suspend", [_domain("domain")], lambda conn, v: conn.suspend(v["domain"]), help="suspend a domain"),
    Command("resume", [_domain("domain")], lambda conn, v: conn.resume(v["domain"]), help="resume a domain"),
    Command("edit", [_domain("domain"), Opt("skip-validate", BOOL, help="skip validation of the XML against the schema")],
            _edit, help="edit XML configuration for a domain"),
    Command("shutdown", [_domain("domain"), _MODE],
            lambda conn, v: conn.shutdown(v["domain"], mode=v.get("mode")), help="gracefully shutdown a domain"),
    Command("destroy", [_domain("domain"), Opt("graceful", BOOL, help="terminate gracefully"),
                        Opt("remove-logs", BOOL, help="remove domain logs")],
            lambda conn, v: conn.destroy(v["domain"], **bool_options(v, "graceful", "remove-logs")),
            help="destroy (stop) a domain"),
    Command("reboot", [_domain("domain"), _MODE],
            lambda conn, v: conn.reboot(v["domain"], mode=v.get("mode")), help="reboot a domain"),
    Command("undefine", [
        _domain("domain"),
        Opt("managed-save", BOOL, help="remove domain managed state file"),
        Opt("storage", STRING, help="remove associated storage volumes (comma separated list of targets "
            "or source paths) (see domblklist)"),
        Opt("remove-all-storage", BOOL, help="remove all associated storage volumes (use with caution)"),
        Opt("delete-snapshots", ALIAS, alias_of="delete-storage-volume-snapshots"),
        Opt("delete-storage-volume-snapshots", BOOL, help="delete snapshots associated with volume(s), "
            "requires --remove-all-storage (must be supported by storage driver)"),
        Opt("wipe-storage", BOOL, help="wipe data on the removed volumes"),
        Opt("snapshots-metadata", BOOL, help="remove all domain snapshot metadata (vm must be inactive)"),
        Opt("checkpoints-metadata", BOOL, help="remove all domain checkpoint metadata (vm must be inactive)"),
        Opt("nvram", BOOL, help="remove nvram file"),
        Opt("keep-nvram", BOOL, help="keep nvram file"),
        Opt("tpm", BOOL, help="remove TPM state"),
        Opt("keep-tpm", BOOL, help="keep TPM state"),
    ], _undefine, help="undefine a domain"),
    Command("dumpxml", [_domain("domain"),
                        Opt("inactive", BOOL, help="show inactive defined XML"),
                        Opt("security-info", BOOL, help="include security sensitive information in XML dump"),
                        Opt("update-cpu", BOOL, help="update guest CPU according to host CPU"),
                        Opt("migratable", BOOL, help="provide XML suitable for migrations"),
                        Opt("xpath", STRING, named_only=True, help="xpath expression to filter the XML document"),
                        Opt("wrap", BOOL, help="wrap xpath results in an common root element")],
            _dumpxml, help="domain information in XML"),
]
