"""One path for every command that takes an object's XML: define / create (domains), net-define /
net-create (networks), pool-define / pool-create (pools).

Each call reads its input once and checks it once, then hands that same string to libvirt (as
virt-manager's virtinst passes one ``final_xml``):

* a spec object (``DomainSpec``, ``NetworkSpec``, ``PoolSpec``): serialized once, then refused
  exactly as ``spec.validate()`` would refuse it (SpecError: the crash guard, kvmlab's teaching
  checks and libvirt's schema, in one pass over that text);
* XML text, bytes or a file: read as virsh reads it (:func:`.source.read_xml_source`), then the
  crash guard only; libvirt judges the rest in its own words, as virsh shows them.

The virsh line, one rule for all six commands, recorded on the result (``.virsh``) and on any
error raised (``err.virsh``) alike::

    virsh COMMAND FILE [--options]

FILE is the file that was given; for a spec or an XML string it is ``NAME.xml``, NAME being the
object's ``<name>`` (``virsh net-define lab.xml``), or ``KIND.xml`` when the XML names nothing
(``virsh define domain.xml``): save the XML under that name and the line does the same thing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass
from typing import Callable, ContextManager, Iterator, TypeVar

from lxml import etree

from ..errors import InvalidInput, KvmlabError, SpecError
from ..specs.guard import guard_xml
from ..specs.parser import ROOT_TAG, try_parse
from ..specs.validate import Spec, validate_xml
from ..i18n import _
from .calls import virsh_line
from .source import XmlSource, read_xml_source
from .vsh import require_option

__all__ = ["XmlInput", "XmlCommand", "read_input", "named_input", "check_input", "require_file", "define_line",
           "STDIN_LABEL"]

T = TypeVar("T")

# virsh always names the file it read: "Network lab defined from lab.xml", "Failed to define pool from x.xml".
# XML that came from no file (a spec, a string, bytes): a network or a pool prints the FILE of its recorded
# line, `virsh net-define NAME.xml`, so the printed text and the line agree. A domain prints /dev/stdin, as
# `virsh define /dev/stdin < vm.xml` does (its bytes are compared with that real virsh in tests/badinput).
STDIN_LABEL = "/dev/stdin"
_NO_FILE_ORIGIN = {"domain": STDIN_LABEL}


def _is_xml_text(source: object) -> bool:
    return isinstance(source, (bytes, bytearray)) or isinstance(source, str) and source.lstrip().startswith("<")


def _given_file(source: object) -> str:
    """The file name the caller meant, before it is read ('' for a spec or XML)."""
    if isinstance(source, (str, os.PathLike)) and not _is_xml_text(source):
        return os.fspath(source)
    return ""


def require_file(source: object) -> None:
    """virsh's first check: a FILE option given as ``''`` is an error before anything else."""
    if isinstance(source, (str, os.PathLike)) and not _is_xml_text(source):
        require_option(os.fspath(source), "file")


def define_line(command: str, kind: str, file: str = "", name: str = "", **options: object) -> str:
    """The virsh line of a define/create: ``virsh COMMAND FILE [--options]``, FILE being the file given,
    else ``NAME.xml`` (the object's name), else ``KIND.xml``."""
    return virsh_line(command, file or f"{name or kind}.xml", **options)


@dataclass(frozen=True)
class XmlInput:
    """An operation's XML, read and checked once.

    Attributes:
        kind: "domain", "network" or "pool".
        xml: the one text that goes to libvirt.
        label: the file it was read from, or "" (a spec or an XML string).
        spec: the spec object it came from, or None.
        name: the object's <name> once known (after the check), for the virsh line.
    """

    kind: str
    xml: str
    label: str = ""
    spec: Spec | None = None
    name: str = ""

    @property
    def origin(self) -> str:
        """What virsh prints after ``defined``: `` from FILE``, FILE being the file read, else the FILE of the
        recorded line (``NAME.xml``, ``KIND.xml``), or /dev/stdin for a domain."""
        return f" from {self.label or _NO_FILE_ORIGIN.get(self.kind) or f'{self.name or self.kind}.xml'}"


def read_input(kind: str, source: XmlSource, virconn=None, verb: str = "define") -> XmlInput:
    """The XML of ``source``: a spec serialized once, or text/bytes/a file read as virsh reads it.

    Raises:
        InvalidInput: the file cannot be read (virsh's own text), or a spec of another kind.
    """
    if isinstance(source, Spec):
        if source.KIND != kind:
            raise InvalidInput(
                _("a {spec} describes a {what}, not a {kind}").format(spec=type(source).__name__, what=source.KIND,
                                                                       kind=kind),
                hint=_("pass a {spec} here, or call the {what}'s own operation").format(
                    spec=kind.capitalize() + "Spec", what=source.KIND),
            )
        return XmlInput(kind, source.to_xml(), "", source)
    require_file(source)
    # virconn lets libvirt itself word the refusal of bytes that are not UTF-8, as virsh shows it
    xml, label = read_xml_source(source, virconn=virconn, kind=kind, verb=verb)
    return XmlInput(kind, xml, label)


def named_input(inp: XmlInput) -> tuple[XmlInput, etree._Element | None]:
    """``inp`` with the object's name, and the parsed text for :func:`check_input` (None for a spec,
    whose own fields know its name, or for XML that is not well-formed: libvirt will say why)."""
    if inp.spec is not None:
        return dataclasses.replace(inp, name=inp.spec.name or ""), None
    root = try_parse(inp.xml)  # the one parse of an XML text
    if root is None or root.tag != ROOT_TAG[inp.kind]:
        return inp, None
    return dataclasses.replace(inp, name=(root.findtext("name") or "").strip()), root


def check_input(inp: XmlInput, root: etree._Element | None) -> None:
    """Check the text once: a spec as ``spec.validate()`` does, other XML against the crash guard
    (on the tree :func:`named_input` parsed: no second parse).

    Raises:
        SpecError: what ``spec.validate()`` raises, or XML that would crash libvirt.
    """
    if inp.spec is not None:
        validate_xml(inp.spec.KIND, inp.xml)  # spec.validate(), on the very text libvirt gets
    elif root is not None:
        guard_xml(inp.kind, root)  # the guard reads a parsed tree as well as a text


@dataclass(frozen=True)
class XmlCommand:
    """One of the six commands that send an object's XML to libvirt.

    Attributes:
        kind: "domain", "network" or "pool".
        verb: "define" or "create" (virsh's "Failed to define domain from FILE").
        command: virsh's name for it (``define``, ``net-create``, ``pool-define``…).
        options: the virsh options of this call, for the line (``validate=True``…).
    """

    kind: str
    verb: str
    command: str
    options: tuple[tuple[str, object], ...] = ()

    def line(self, file: str = "", name: str = "") -> str:
        return define_line(self.command, self.kind, file, name, **dict(self.options))

    def failed(self, inp: XmlInput) -> str:
        """virsh's first error line: ``Failed to define domain from vm.xml``."""
        return f"Failed to {self.verb} {self.kind}{inp.origin}"

    def run(
        self,
        source: XmlSource,
        send: Callable[[str], T],
        errors: Callable[[XmlInput, str], ContextManager[None]],
        read_hint: Callable[[InvalidInput], None] | None = None,
        virconn=None,
    ) -> tuple[T, XmlInput, str]:
        """Read and check ``source`` once, then ``send(xml)`` inside ``errors(input, failed_line)``.

        Returns ``(what send returned, the input, the virsh line)``. Any KvmlabError raised carries
        the same line in ``.virsh``; a refused spec also gets virsh's ``Failed to …`` line first.
        ``read_hint`` may rewrite the hint of an unreadable file; ``virconn`` reads bytes that are
        not UTF-8 through libvirt's own parser.
        """
        with _records(self.line(_given_file(source))):
            try:
                inp = read_input(self.kind, source, virconn, self.verb)
            except InvalidInput as err:
                if read_hint is not None and _given_file(source):
                    read_hint(err)
                raise
        inp, root = named_input(inp)
        line = self.line(inp.label, inp.name)
        with _records(line):
            try:
                check_input(inp, root)
            except SpecError as err:
                err.virsh_error = [self.failed(inp), *err.virsh_error]
                raise
            with errors(inp, self.failed(inp)):
                return send(inp.xml), inp, line


@contextlib.contextmanager
def _records(line: str) -> Iterator[None]:
    """Any KvmlabError leaving the block names the virsh line that failed (``err.virsh``)."""
    try:
        yield
    except KvmlabError as err:
        err.virsh = line
        raise
