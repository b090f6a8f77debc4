"""virsh's edit flow (vsh.c vshEditWriteToTempFile / vshEditFile / vshEditReadBackFile / vshAskReedit,
and virsh-edit.c's loop shared by ``edit`` and ``pool-edit``).

``run_editor(xml)`` writes ``$TMPDIR/virshXXXXXX.xml`` (mode 0600), runs ``$VISUAL``, else ``$EDITOR``,
else the default editor on it, reads it back and deletes it. Like virsh, an editor string made only
of safe characters is executed directly; anything else (options, pipes) runs through ``sh -c``, so
``EDITOR="sed -i s/512/1024/"`` works as a non-interactive editor. ``edit_loop`` defines the edited
text and, when libvirt refuses it, lets ``ask`` choose: edit again, define again, drop validation, give up.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import string
import subprocess
import sys
from typing import Callable, TypeVar

from ..errors import EditAbandoned, EditRejected, InvalidInput, KvmlabError, OperationFailed
from ..i18n import N_, _
from ..render.l10n import tr, tr_line
from .source import XmlSource, read_xml_source

__all__ = [
    "ACCEPTED_CHARS",
    "DEFAULT_EDITOR",
    "CHANGED",
    "ReeditAsk",
    "editor_command",
    "run_editor",
    "ask_reedit",
    "first_draft",
    "rejected",
    "edit_loop",
]

CHANGED = "The XML configuration was changed by another user."


# ask(error, relax_available) -> 'y' (edit again), 'f' (define again), 'i' (without validation),
# 'n' (give up) or None (no terminal: report the error)
ReeditAsk = Callable[[EditRejected, bool], "str | None"]


# Characters virsh accepts in $EDITOR (run directly) and in the temp file name
ACCEPTED_CHARS = frozenset(string.ascii_letters + string.digits + "-/_.:@")

# Debian's virsh 9.0 falls back to sensible-editor (debian/Use-sensible-editor-by-default.patch);
# upstream virsh to vi.
DEFAULT_EDITOR = "sensible-editor" if shutil.which("sensible-editor") else "vi"

_TEMPLATE_CHARS = string.ascii_letters + string.digits  # g_mkstemp's XXXXXX alphabet
_EDITOR_HINT = N_("set $EDITOR (or $VISUAL) to an editor that exists, e.g. EDITOR=nano or EDITOR='sed -i s/a/b/'")


def editor_command(editor: str | None = None) -> str:
    """The editor virsh would run: ``editor``, else $VISUAL, else $EDITOR (even if empty), else the default."""
    if editor is not None:
        return editor
    for var in ("VISUAL", "EDITOR"):
        if var in os.environ:
            return os.environ[var]
    return DEFAULT_EDITOR


def _shell_word(word: str) -> str:
    """virBufferEscapeShell: quote only when the word has shell metacharacters."""
    if word == "":
        return "''"
    if not any(c in "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~" for c in word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def _write_temp(xml: str) -> str:
    tmpdir = os.environ.get("TMPDIR", "/tmp")
    data = xml.encode()
    for _attempt in range(100):
        path = f"{tmpdir}/virsh{''.join(secrets.choice(_TEMPLATE_CHARS) for _c in range(6))}.xml"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OperationFailed(
                f"g_mkstemp_full: failed to create temporary file: {os.strerror(exc.errno)}",  # i18n: virsh's own words
                hint=_("$TMPDIR must name a writable directory (unset it to use /tmp)"),
            ) from None
        try:
            os.write(fd, data)
        except OSError as exc:
            os.close(fd)
            os.unlink(path)
            raise OperationFailed(f"write: {path}: failed to write to temporary file: {os.strerror(exc.errno)}",  # i18n: virsh's own words
                                  hint=_("is the disk behind $TMPDIR full?")) from None
        os.close(fd)
        return path
    raise OperationFailed("g_mkstemp_full: failed to create temporary file: File exists",  # i18n: virsh's own words
                          hint=_("clean up $TMPDIR"))


def _run(editor: str, path: str) -> None:
    """vshEditFile: run the editor on ``path`` with virsh's stdin/stdout/stderr."""
    if not set(editor) <= ACCEPTED_CHARS:
        if not set(path) <= ACCEPTED_CHARS:
            raise InvalidInput(
                f"{path}: temporary filename contains shell meta or other unacceptable characters "  # i18n: virsh's own words
                "(is $TMPDIR wrong?)",
                hint=_("point $TMPDIR at a directory whose path has no spaces or shell characters"),
            )
        argv = ["sh", "-c", f"{editor} {path}"]
    else:
        argv = [editor, path]
    binary = argv[0] if argv[0].startswith("/") else shutil.which(argv[0]) if argv[0] else None
    if binary is None:
        # the C library's words for ENOENT, in the process's language as virsh's
        raise OperationFailed(f"Cannot find '{argv[0]}' in path: {os.strerror(errno.ENOENT)}",  # i18n: virsh's own words
                              hint=_(_EDITOR_HINT))
    shown = " ".join(_shell_word(a) for a in argv)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    try:
        status = subprocess.run(argv, executable=binary, check=False).returncode
    except OSError as exc:
        # the forked child reports this itself (libvirt's virExec), then exits 127 or 126
        said = f"{tr_line(f'cannot execute binary {argv[0]}')}: {os.strerror(exc.errno)}"
        os.write(2, f"libvirt:  {tr('error')} : {said}\n".encode())
        status = 127 if isinstance(exc, FileNotFoundError) else 126
    if status != 0:
        how = f"fatal signal {-status}" if status < 0 else f"exit status {status}"
        raise OperationFailed(
            f"internal error: Child process ({shown}) unexpected {how}",  # i18n: virsh's own words
            hint=_("the editor '{editor}' failed, so nothing was changed; ").format(editor=editor) + _(_EDITOR_HINT),
        )


def _read_back(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", errors="replace")
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        verb = "read" if isinstance(exc, IsADirectoryError) else "open"
        raise OperationFailed(
            f"{path}: failed to read temporary file: {reason}",  # i18n: virsh's own words
            hint=_("the editor must save the file in place (not delete or rename it)"),
            virsh_error=[f"{path}: failed to read temporary file: {reason}", f"Failed to {verb} file '{path}': {reason}"],
        ) from None


def run_editor(xml: str, editor: str | None = None) -> str:
    """Write ``xml`` to a temp file, run the editor on it as virsh does, return the edited text.

    Args:
        xml: the document to edit.
        editor: the editor command; default ``$VISUAL``, then ``$EDITOR``, then sensible-editor / vi.

    Raises:
        OperationFailed: the temp file could not be written or read back, or the editor failed
            (virsh's own ``error:`` lines are in ``virsh_error``).
    """
    command = editor_command(editor)
    path = _write_temp(xml)
    try:
        _run(command, path)
        return _read_back(path)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def ask_reedit(msg: str, relax_avail: bool, error_lines: list[str]) -> str | None:
    """vshAskReedit: on a terminal, print the error and ask ``Try again? [y,n,i,f,?]``.

    Returns 'y', 'n', 'f' or 'i'; None when stdin is not a terminal (virsh then just reports ``msg``).
    """
    if not os.isatty(0):
        return None
    import termios
    import tty

    sys.stdout.flush()
    for line in error_lines:
        sys.stderr.write(f"error: {line}\n")
    sys.stderr.flush()
    saved = termios.tcgetattr(0)
    choices = "[y,n,i,f,?]" if relax_avail else "[y,n,f,?]"
    try:
        tty.setraw(0)
        while True:
            sys.stdout.write(f"\r{msg} Try again? {choices}: ")
            sys.stdout.flush()
            ch = os.read(0, 1).decode(errors="replace").lower() or "n"  # EOF: virsh spins forever; give up
            if ch == "?":
                lines = ["", "y - yes, start editor again", "n - no, throw away my changes"]
                if relax_avail:
                    lines.append("i - turn off validation and try to redefine again")
                lines += ["f - force, try to redefine again", "? - print this help"]
                sys.stdout.write("".join(f"{line}\r\n" for line in lines))
            elif ch in ("y", "n", "f") or (relax_avail and ch == "i"):
                break
    finally:
        termios.tcsetattr(0, termios.TCSAFLUSH, saved)
    sys.stdout.write("\r\n")
    sys.stdout.flush()
    return ch


# --- virsh-edit.c: the loop around the editor, for edit and pool-edit ---

R = TypeVar("R")


def first_draft(orig: str, xml: XmlSource | None, editor: str | None, api: list[str]) -> str:
    """The first edited text: ``xml`` when given (text, a spec or a file), else the editor's work on ``orig``."""
    if xml is not None:
        if hasattr(xml, "validate"):  # a spec is refused as spec.validate() refuses it, as in define
            xml.validate()
        return read_xml_source(xml)[0]
    api.append(f"edited = kvmlab.ops.editor.run_editor(xml{', editor=' + repr(editor) if editor else ''})")
    return run_editor(orig, editor)


def rejected(err: KvmlabError, edited: str, hint: str | None = None) -> EditRejected:
    """``err`` (the guard's or libvirt's refusal) as an EditRejected that keeps the refused text."""
    new = EditRejected(err.message, hint=err.hint if hint is None else hint, virsh_error=err.virsh_error)
    new.edited = edited
    return new


def edit_loop(
    command: str,
    what: str,
    orig: str,
    edited: str,
    *,
    read: Callable[[], str],
    define: Callable[[str, bool], R],
    unchanged: Callable[[], R],
    editor: str | None = None,
    ask: ReeditAsk | None = None,
    validate: bool = True,
    relax: bool = True,
) -> R:
    """Define ``edited`` (``define(edited, validate)``) unless it equals ``orig``; after a refusal
    (EditRejected), do what ``ask(err, relax)`` chooses: 'y' edit again, 'f' define again, 'i' define
    without validation (offered while ``relax``), 'n' give up (EditAbandoned), None raise ``err``.

    ``read`` re-reads the definition before each define: if it no longer equals ``orig``, someone
    changed the ``what`` meanwhile, and that is a refusal too. ``command`` (edit, pool-edit) words
    EditAbandoned; ``unchanged`` makes the result when the text did not change.
    """
    while True:
        if edited == orig:
            return unchanged()
        while True:
            try:
                reread = read()
                if reread != orig:
                    err = EditRejected(CHANGED, hint=_("someone changed the {what} while you edited; edit again")
                                       .format(what=what),
                                       virsh_error=[CHANGED])
                    err.reason, err.edited, err.reread = CHANGED, edited, reread
                    raise err
                return define(edited, validate)
            except EditRejected as err:
                choice = ask(err, relax) if ask else None
                if choice is None:
                    raise
                if err.reread is not None:
                    orig = err.reread
                if choice == "n":
                    raise EditAbandoned(_("{command} abandoned; nothing was changed").format(command=command),
                                        hint=_("run {command} again to start over").format(command=command),
                                        virsh_error=[]) from None
                if choice == "i":
                    validate = relax = False
                if choice == "y":
                    edited = run_editor(edited, editor)
                    break
