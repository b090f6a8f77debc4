"""The one exception tree of kvmlab, and the one place libvirt errors are mapped.

::

    KvmlabError                 every error kvmlab raises; has .hint and .virsh_error
    ├── UsageError              a command line virsh itself would reject (unknown command, option)
    ├── ConnectionFailed        the URI did not answer
    ├── NotFound                no such domain / network / pool / volume / snapshot
    ├── InvalidState            the object is in the wrong state for that operation
    ├── InvalidInput            a value, file or XML document kvmlab refuses before libvirt sees it
    │   ├── SpecError           a spec failed the schema or a semantic check
    │   ├── XPathSyntax         an --xpath expression libxml2 cannot compile
    │   └── EditRejected        an edited document libvirt refused; nothing changed
    ├── EditAbandoned           the user answered 'n' at virsh's "Try again?" prompt
    ├── OperationFailed         libvirt tried and failed
    │   └── ConsoleTimeout      a guest's marker did not appear on its console in time
    ├── Unsupported             the backend cannot do this (e.g. networks in qemu:///session)
    └── ExerciseFailed          a graded answer is not right yet (message: what; hint, then pointer)

``virsh_error`` holds the message lines virsh prints after ``error: `` for the same failure,
so the CLI twin and a notebook show exactly what virsh would. ``hint`` is kvmlab's own
teaching line: what to do about it.

A libvirtError becomes a KvmlabError here and nowhere else: :func:`map_libvirt_error` (or the
:func:`libvirt_errors` context manager) picks the class from libvirt's error code and the hint
from the caller's ``hints``; ``hints`` and ``classes`` are looked up by error code or by a
fragment of libvirt's message. :func:`suppressed` and :func:`attempt` are the "try it, go on
without it" forms (an optional lookup, a best-effort cleanup).

What failed decides first: a lost connection (the daemon exited or restarted under an open
connection) is always :class:`ConnectionFailed` with :data:`LOST_HINT`, whatever operation was
running and whatever hints it passed, and no ``suppressed``/``attempt`` block swallows it.
"""

from __future__ import annotations

from typing import Callable, ContextManager, Mapping, Sequence, TypeVar, Union

import libvirt

from .i18n import N_, _

__all__ = [
    "KvmlabError",
    "UsageError",
    "ConnectionFailed",
    "NotFound",
    "InvalidState",
    "InvalidInput",
    "SpecError",
    "OperationFailed",
    "Unsupported",
    "XPathSyntax",
    "EditRejected",
    "EditAbandoned",
    "ConsoleTimeout",
    "ExerciseFailed",
    "FAILED",
    "map_libvirt_error",
    "libvirt_errors",
    "HintSource",
    "install_error_handler",
    "connection_lost",
    "LOST_HINT",
    "suppressed",
    "attempt",
    "recast",
]


class KvmlabError(Exception):
    """Base of every kvmlab error.

    Args:
        message: what went wrong, in one sentence.
        hint: what the learner should do about it.
        virsh_error: the lines virsh prints after ``error:`` for the same failure
            (defaults to ``[message]``).

    Attributes:
        libvirt_code: libvirt's error code when the error came from libvirt, else None.
        partial_stdout: what virsh prints on stdout before it fails (e.g. dominfo's first lines);
            the CLI twin writes it before the ``error:`` lines.
        virsh: the virsh command line that failed, when the operation records it ("" otherwise),
            the same line a result's ``.virsh`` holds on success.
    """

    libvirt_code: int | None = None
    partial_stdout: str = ""
    virsh: str = ""

    def __init__(self, message: str, *, hint: str = "", virsh_error: Sequence[str] | None = None):
        message, hint = str(message), str(hint)  # a Lazy text (i18n.L_) is worded now, when raised
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.virsh_error = list(virsh_error) if virsh_error is not None else [message]

    def __str__(self) -> str:
        return self.message + (f"\nhint: {self.hint}" if self.hint else "")

    def _repr_html_(self) -> str:
        from html import escape

        from .render.l10n import catalog, tr, tr_line

        # virsh's lines as virsh prints them in the locale's language (libvirt's catalog); libvirt's
        # own message, last, comes translated already
        prefix, said = "error: ", self.virsh_error
        if said and catalog() is not None:
            prefix = tr(prefix)
            own = len(said) - (self.libvirt_code is not None)
            said = [tr_line(line) if i < own else line for i, line in enumerate(said)]
        lines = "".join(f"<div>{escape(prefix + line)}</div>" for line in said)
        hint = f"<div><b>{escape(_('hint'))}:</b> {escape(self.hint)}</div>" if self.hint else ""
        return f'<div class="kvmlab-error" style="color:#a00">{lines}{hint}</div>'


class UsageError(KvmlabError):
    """A command line that virsh rejects before running anything."""


class ConnectionFailed(KvmlabError):
    """The hypervisor URI could not be opened."""


class NotFound(KvmlabError):
    """No domain, network, pool, volume or snapshot by that name, id or UUID."""


class InvalidState(KvmlabError):
    """The object exists but is in the wrong state (e.g. starting a running domain)."""


class InvalidInput(KvmlabError):
    """Input refused before libvirt sees it: a bad value, an unreadable file, malformed XML."""


class SpecError(InvalidInput):
    """An XML spec failed libvirt's RelaxNG schema or one of kvmlab's semantic checks."""


class OperationFailed(KvmlabError):
    """libvirt accepted the request but could not carry it out."""


class Unsupported(KvmlabError):
    """The backend in use cannot do this."""


class XPathSyntax(InvalidInput):
    """An XPath expression libxml2 cannot compile.

    virsh prints libxml2's own three lines on stderr (``stderr_text``) and succeeds with no output.
    """

    stderr_text: str = ""


FAILED = "Failed."  # virsh's one-word verdict on a rejected edit


class EditRejected(InvalidInput):
    """The edited XML was not accepted (or the domain changed meanwhile); nothing was changed.

    ``reason`` is virsh's one-word verdict (``Failed.``); ``edited`` is the rejected text, to fix and retry.
    """

    reason: str = FAILED
    edited: str = ""
    reread: str | None = None


class EditAbandoned(KvmlabError):
    """The user answered 'n' at virsh's ``Try again?`` prompt (virsh prints nothing more)."""


class ConsoleTimeout(OperationFailed):
    """A marker did not appear on the console in time; ``.tail`` holds the last lines seen and
    ``.log`` the guest's whole serial transcript (a file), when it has one."""

    def __init__(self, message: str, tail: list[str], log: str | None = None):
        where = _(" (all of it: {log})").format(log=log) if log else ""
        super().__init__(message, hint=_("read the console transcript below{where}: the guest's last words "
                                         "say why").format(where=where))
        self.tail = tail
        self.log = log

    def __str__(self) -> str:
        return super().__str__() + "".join(f"\n  | {line}" for line in self.tail)


class ExerciseFailed(KvmlabError):
    """The answer is not right yet: ``message`` is the diagnosis, then a hint ladder.

    Rung 1 (``hint``): the concept. Rung 2 (``pointer``): the command or element to look at.
    The code itself is never in a failure: ``kvmlab.exercises.show_answer()`` gives it when asked.
    ``rung`` and ``exercise`` are set by the check's ``@graded`` wrapper: how often the same mistake
    (the same concept) was made; a new mistake starts at rung 1, and an untried answer never climbs.
    """

    RUNGS = 2

    def __init__(self, message: str, *, hint: str = "", pointer: str = "", untried: bool = False,
                 virsh_error: Sequence[str] | None = None):
        super().__init__(message, hint=hint, virsh_error=virsh_error)
        self.pointer = pointer
        self.untried = untried  # "no answer yet": it does not climb the ladder
        self.rung = 1
        self.exercise = ""

    @property
    def hint(self) -> str:  # type: ignore[override]
        """The rung reached: the concept first, the pointer from the second failure on."""
        return self.pointer if self.rung >= 2 and self.pointer else self.concept

    @hint.setter
    def hint(self, text: str) -> None:
        self.concept = text

    def rungs(self) -> list[tuple[str, str]]:
        """What a failure shows, as (label, text): the concept, and from the second failure on the pointer
        too (a notebook re-runs the same cell, so the concept must not vanish when the pointer comes)."""
        from .i18n import _  # the framing is translated when shown

        shown = [(_("hint"), self.concept)] if self.concept else []
        if self.rung >= 2 and self.pointer:
            shown.append((_("look at"), self.pointer))
        return shown

    def ladder(self) -> str:
        """What comes next on the ladder, or "" for a failure outside a graded check."""
        if not self.exercise:
            return ""
        from .i18n import _

        answer = _('show_answer("{exercise}") shows the code').format(exercise=self.exercise)
        if self.untried:
            return _("Fill in your answer and run the check again; {answer}.").format(answer=answer)
        if not self.pointer:
            return _("Try again; {answer}.").format(answer=answer)
        if self.rung < self.RUNGS:
            return _("hint {rung}/{rungs}. Try again: a second failure points at the command or the "
                     "lesson section; {answer}.").format(rung=self.rung, rungs=self.RUNGS, answer=answer)
        return _("hint {rungs}/{rungs}. Still stuck? {answer}.").format(rungs=self.RUNGS, answer=answer)

    def __str__(self) -> str:
        lines = [self.message, *(f"{label}: {text}" for label, text in self.rungs())]
        tail = self.ladder()
        return "\n".join(lines + ([tail] if tail else []))

    def _repr_html_(self) -> str:
        from html import escape

        rungs = "".join(f"<div><b>{label}:</b> {escape(text)}</div>" for label, text in self.rungs())
        tail = f"<div style='color:#666'>{escape(self.ladder())}</div>" if self.ladder() else ""
        return (
            "<div class='kvmlab-exercise failed' style='border-left:4px solid #c60;padding:4px 8px'>"
            f"<div><b>{escape(_not_yet())}:</b> {escape(self.message)}</div>{rungs}{tail}</div>"
        )


def _not_yet() -> str:
    """The word before a failed check's diagnosis."""
    from .i18n import _

    return _("not yet")


_BY_CODE = {
    libvirt.VIR_ERR_NO_DOMAIN: NotFound,
    libvirt.VIR_ERR_NO_NETWORK: NotFound,
    libvirt.VIR_ERR_NO_STORAGE_POOL: NotFound,
    libvirt.VIR_ERR_NO_STORAGE_VOL: NotFound,
    libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT: NotFound,
    libvirt.VIR_ERR_OPERATION_INVALID: InvalidState,
    libvirt.VIR_ERR_XML_ERROR: InvalidInput,
    libvirt.VIR_ERR_XML_DETAIL: InvalidInput,
    libvirt.VIR_ERR_CONFIG_UNSUPPORTED: InvalidInput,
    libvirt.VIR_ERR_INVALID_ARG: InvalidInput,
    libvirt.VIR_ERR_NO_NAME: InvalidInput,
    libvirt.VIR_ERR_XML_INVALID_SCHEMA: InvalidInput,
    libvirt.VIR_ERR_NO_SUPPORT: Unsupported,
    libvirt.VIR_ERR_OPERATION_UNSUPPORTED: Unsupported,
    libvirt.VIR_ERR_NO_CONNECT: ConnectionFailed,
    libvirt.VIR_ERR_INVALID_CONN: ConnectionFailed,
}

_HINT_BY_CODE = N_({
    libvirt.VIR_ERR_NO_DOMAIN: "check the name with `virsh list --all` (kvmlab: conn.list(all=True))",
    libvirt.VIR_ERR_NO_NETWORK: "check the name with `virsh net-list --all`",
    libvirt.VIR_ERR_NO_STORAGE_POOL: "check the name with `virsh pool-list --all`",
    libvirt.VIR_ERR_NO_STORAGE_VOL: "check the volume name with `virsh vol-list <pool>`",
    libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT: "check the snapshot's name with `virsh snapshot-list DOMAIN`",
    libvirt.VIR_ERR_OPERATION_INVALID: "look at the object's state first (dominfo / net-info / pool-info)",
})


# What to do, by a fragment of libvirt's message, when the caller's own hints say nothing more.
_HINT_BY_MESSAGE: Mapping[int | str, str] = N_({
    "unsupported flags": "this libvirt driver does not support that option (the test driver ignores "
    "most real-host options); try without it",
    "not supported by the connection driver": "this libvirt driver cannot do that; a real host (qemu:///system) can",
    "already exists": "that name (or UUID) is taken: look with `virsh list --all` / `net-list --all` / "
    "`pool-list --all` / `vol-list POOL` and pick another name",
    "already defined": "an object by that name exists with another UUID: pick another <name>, or drop <uuid> "
    "to change the existing one (the *-edit commands do that too)",
    "Storage source conflict": "another pool already uses that storage (same target path or source): "
    "give each pool its own <target><path>",
    "Not enough free space": "the pool has less room than the volume needs: `virsh pool-info POOL` shows Available",
    "No space left on device": "the filesystem under the pool is full: `virsh pool-info POOL` shows Available; "
    "delete volumes you no longer need (`virsh vol-delete VOL --pool POOL`) or ask for less",
})

# Message fragments that say more than the code: "the driver lacks this flag" comes as
# VIR_ERR_INVALID_ARG ("unsupported flags (0x1) in function …", virCheckFlags), yet it is the
# backend's limit, not the learner's input.
_BY_MESSAGE: Mapping[int | str, type[KvmlabError]] = {"unsupported flags": Unsupported}

T = TypeVar("T")

# A connection whose daemon went away (killed, restarted, crashed): libvirt's remote driver says so
# with these codes, or from its RPC layer with these messages (virnetsocket.c, virnetclient.c).
_LOST_CODES = (libvirt.VIR_ERR_NO_CONNECT, libvirt.VIR_ERR_INVALID_CONN)
_LOST_MESSAGES = (
    "client socket is closed",
    "Cannot write data",
    "Cannot recv data",
    "End of file while reading data",
    "Broken pipe",
    "Connection reset by peer",
    "connection closed due to keepalive timeout",
)

LOST_HINT = N_(
    "the libvirt daemon for this URI is not answering (it exited, was restarted or is not started): "
    "for the real lab run `kvmlab lab up` (`kvmlab lab status` shows it); for another URI check its "
    "daemon (`systemctl status libvirtd`). The same Connection reconnects by itself on the next call "
    "once the daemon answers"
)


def connection_lost(exc: libvirt.libvirtError) -> bool:
    """True when ``exc`` says the connection itself is gone, not that one operation failed."""
    code, msg = exc.get_error_code(), exc.get_error_message() or ""
    if code in _LOST_CODES:
        return True
    if code == libvirt.VIR_ERR_SYSTEM_ERROR and exc.get_error_domain() == libvirt.VIR_FROM_RPC:
        return True  # the socket itself failed: connect, read or write
    return exc.get_error_domain() in (libvirt.VIR_FROM_RPC, libvirt.VIR_FROM_REMOTE) and any(
        m in msg for m in _LOST_MESSAGES)


def _pick(code: int, msg: str, table: Mapping[int | str, T] | None, default: T) -> T:
    """The value for libvirt error ``code`` (int keys) or a fragment of ``msg`` (str keys); first match wins."""
    for key, value in (table or {}).items():
        if (key == code) if isinstance(key, int) else (key in msg):
            return value
    return default


HintSource = Union[str, Callable[[str], str]]  # a hint, or one made from libvirt's message


def map_libvirt_error(
    exc: libvirt.libvirtError,
    prefix: Sequence[str] = (),
    hint: str = "",
    *,
    hints: Mapping[int | str, HintSource] | None = None,
    classes: Mapping[int | str, type[KvmlabError]] | None = None,
    cls: type[KvmlabError] | None = None,
) -> KvmlabError:
    """Turn a libvirtError into the matching KvmlabError.

    Args:
        exc: what libvirt raised.
        prefix: virsh's own lines that come before libvirt's message
            (for example ``Failed to start domain 'x'``).
        hint: the teaching line when nothing in ``hints`` matches.
        hints: hints picked by libvirt error code (int keys) or by a fragment of libvirt's
            message (str keys); the first match wins. A hint may be a function of the message.
        classes: classes picked the same way, before the mapping by error code.
        cls: the class to raise, whatever libvirt said.
    """
    code = exc.get_error_code()
    msg = exc.get_error_message() or "unknown error"
    if connection_lost(exc):  # what failed is the connection: no operation's hint applies
        lost = code == libvirt.VIR_ERR_INVALID_CONN or any(m in msg for m in _LOST_MESSAGES)
        what = _("lost the connection to the libvirt daemon") if lost else _("cannot reach the libvirt daemon")
        err = ConnectionFailed(f"{what}: {msg}", hint=_(LOST_HINT), virsh_error=[*prefix, msg])
        err.libvirt_code = code
        return err
    if cls is None:
        cls = _pick(code, msg, classes, None) or _pick(code, msg, _BY_MESSAGE, _BY_CODE.get(code, OperationFailed))
    # the caller's hint for this failure, else the shared one for this message, else the caller's fallback
    chosen = _pick(code, msg, hints, None) or _pick(code, msg, _HINT_BY_MESSAGE, None) or hint
    hint = (chosen(msg) if callable(chosen) else chosen) or _HINT_BY_CODE.get(code, "")
    hint = _(hint) if isinstance(hint, str) else hint  # a literal hint marked N_("…") is translated here
    err = cls(msg, hint=hint, virsh_error=[*prefix, msg])
    err.libvirt_code = code
    return err


class _Mapped:
    """What :func:`libvirt_errors` returns: a plain context manager (a class, not a generator, as
    every operation enters several of them)."""

    __slots__ = ("prefix", "hint", "hints", "classes", "cls", "ignore")

    def __init__(self, prefix: Sequence[str], hint: str, hints: Mapping[int | str, HintSource] | None,
                 classes: Mapping[int | str, type[KvmlabError]] | None, cls: type[KvmlabError] | None,
                 ignore: Sequence[int]) -> None:
        self.prefix, self.hint, self.hints, self.classes, self.cls, self.ignore = prefix, hint, hints, classes, cls, ignore

    def __enter__(self) -> None:
        return None

    def __exit__(self, _type, exc, _tb) -> bool:
        if exc is None:
            return False
        if isinstance(exc, libvirt.libvirtError):
            if self.ignore and exc.get_error_code() in self.ignore and not connection_lost(exc):
                return True
            raise map_libvirt_error(exc, self.prefix, self.hint, hints=self.hints, classes=self.classes,
                                    cls=self.cls) from exc
        if isinstance(exc, KvmlabError):  # mapped already, deeper down
            return not (exc.libvirt_code is None or exc.libvirt_code not in self.ignore
                        or isinstance(exc, ConnectionFailed))
        return False


_PLAIN = _Mapped((), "", None, None, None, ())  # holds no state per use, so one serves every plain call


def libvirt_errors(
    *prefix: str,
    hint: str = "",
    hints: Mapping[int | str, HintSource] | None = None,
    classes: Mapping[int | str, type[KvmlabError]] | None = None,
    cls: type[KvmlabError] | None = None,
    ignore: Sequence[int] = (),
) -> ContextManager[None]:
    """Map any libvirtError raised inside the block to a KvmlabError (``raise … from exc``).

    The arguments are :func:`map_libvirt_error`'s; an error whose code is in ``ignore`` ends the
    block quietly instead (a driver without that flag: the caller goes on with a fallback).
    """
    if not (prefix or hint or hints or classes or cls or ignore):
        return _PLAIN
    return _Mapped(prefix, hint, hints, classes, cls, ignore)


def _passes(exc: BaseException, codes: Sequence[int], lost: bool) -> bool:
    """Whether :func:`suppressed` lets ``exc`` go; a libvirtError that may not go is raised mapped."""
    if isinstance(exc, libvirt.libvirtError):
        if (connection_lost(exc) and not lost) or (codes and exc.get_error_code() not in codes):
            raise map_libvirt_error(exc) from exc
        return True
    if isinstance(exc, KvmlabError):  # mapped already, deeper down
        return not (exc.libvirt_code is None or (isinstance(exc, ConnectionFailed) and not lost)
                    or (codes and exc.libvirt_code not in codes))
    return False


class _Suppressed:
    """What :func:`suppressed` returns (a class, not a generator: it is entered on every optional detail)."""

    __slots__ = ("codes", "lost")

    def __init__(self, codes: Sequence[int], lost: bool) -> None:
        self.codes, self.lost = codes, lost

    def __enter__(self) -> None:
        return None

    def __exit__(self, _type, exc, _tb) -> bool:
        return exc is not None and _passes(exc, self.codes, self.lost)


def suppressed(*codes: int, lost: bool = False) -> ContextManager[None]:
    """Go on past a libvirt error inside the block (only ``codes`` when given; others are mapped).

    For what may fail without harm: an optional detail (a title, an autostart flag), a lookup that
    may find nothing, a best-effort cleanup. A lost connection is raised as
    :class:`ConnectionFailed`, unless ``lost=True`` (letting go of a connection that may be dead).
    """
    return _Suppressed(codes, lost) if codes or lost else _QUIET


_QUIET = _Suppressed((), False)  # the plain suppressed(): no state per use, one serves all


def attempt(call: Callable[..., T], *args, default: T | None = None, codes: Sequence[int] = ()) -> T | None:
    """``call(*args)``, or ``default`` when libvirt refuses (see :func:`suppressed` for ``codes``).

    >>> net = attempt(virconn.networkLookupByName, "default")  # None when there is no such network
    """
    try:
        return call(*args)
    except (libvirt.libvirtError, KvmlabError) as exc:
        if not _passes(exc, codes, False):
            raise
    return default


def recast(err: KvmlabError, cls: type[KvmlabError] | None = None, hint: str | None = None) -> KvmlabError:
    """``err`` as another class or with another hint, once the caller knows more (say, the state the
    object is in after the failure). A lost connection stays what it is."""
    if isinstance(err, ConnectionFailed):
        return err
    new = (cls or type(err))(err.message, hint=err.hint if hint is None else hint, virsh_error=err.virsh_error)
    new.libvirt_code, new.partial_stdout = err.libvirt_code, err.partial_stdout
    return new


def _quiet_handler(_ctx, _err) -> None:
    """libvirt's default handler writes to the raw stderr (fd 2); errors reach us as exceptions."""


def install_error_handler() -> None:
    """Replace libvirt's default error handler so nothing is printed to the raw stderr."""
    libvirt.registerErrorHandler(_quiet_handler, None)
