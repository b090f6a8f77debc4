"""Run ``qemu-img`` (and ``qemu-io``) the way a learner types them, with bounded time and teaching errors.

qemu-img is QEMU's tool for disk image files: ``create``, ``info``, ``convert``, ``resize``, ``map``.
libvirt's storage driver runs the same program for a dir pool (``vol-create-as … --format qcow2`` is a
``qemu-img create`` underneath). Every call here returns an :class:`ImgCommand` whose ``command`` is
the shell line that does the same (shell-quoted, to paste into a terminal) and whose text is what
the tool printed; a failure is a :class:`~kvmlab.errors.KvmlabError` holding the tool's own lines and a
hint. Nothing here waits longer than ``timeout`` seconds.

qemu-img reads sizes its own way, not virsh's: ``k``, ``M``, ``G``, ``T`` are powers of 1024, a
fraction such as ``1.5G`` is fine, and ``GB`` is an error (virsh reads ``1GB`` as 10⁹ bytes and
refuses ``1.5G``).

    >>> print(create("base.qcow2", "1G", cwd=tmp))          # qemu-img create -f qcow2 base.qcow2 1G
    >>> info("base.qcow2", cwd=tmp).virtual_size
    1073741824
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Sequence

from ..errors import InvalidInput, OperationFailed, Unsupported
from ..i18n import N_, _
from ..ops.result import Result

__all__ = ["ImgCommand", "ImgInfo", "Layer", "run", "create", "info", "convert", "resize", "write", "pattern_at",
           "image_map", "TIMEOUT", "FORMATS"]

TIMEOUT = 60.0  # seconds: the lesson's images are small; a hung tool ends as an error, not a hang
FORMATS = ("qcow2", "raw", "qed", "vmdk", "vdi", "vpc", "vhdx")  # the common writable ones
_FORMAT = re.compile(r"^[a-z0-9]+$")
_SIZE = re.compile(r"^[0-9]+(\.[0-9]+)?[A-Za-z]*$")
_PATTERN = range(0, 256)

# qemu-img's own words -> what to do (first match wins)
# (a dict keeps its order; the keys are qemu-img's words, the values are translated where used: _(hint))
_HINTS = N_({
    "Invalid image size": "qemu-img sizes are a number and k, M, G or T, each 1024 times the last: 1G = 1 GiB "
                          "and 1.5G works; there is no 'GB' (virsh differs: there 1GB is 10^9 bytes)",
    "without backing format": "name the backing file's format too (backing_format='qcow2', -F qcow2): qemu-img "
                              "no longer guesses it, because a guessed raw file could pass for a qcow2 one",
    "Backing file not supported": "a raw image is only the disk's bytes, with no header to name a backing file: "
                                  "an overlay must be qcow2",
    "Could not open backing": "the backing file must exist first, and its name is read relative to the "
                              "overlay's own directory",
    '" lock': "a running VM holds this image: shut it down before you change it (info_U=True reads it anyway, "
              "as qemu-img info -U does)",
    "shrink": "shrinking cuts off the end of the disk and whatever the guest kept there: pass shrink=True "
              "(--shrink) only if you mean it",
    "Unknown file format": "formats: {formats}",
    "No such file or directory": "no such image: check the name (and the directory qemu-img runs in)",
    "Pattern verification failed": "the bytes read back are not the pattern: another layer or nothing was "
                                   "written there",
})


@dataclass
class ImgCommand(Result):
    """One run of qemu-img / qemu-io: the shell line (``command``) and what it printed (``output``)."""

    command: str = ""
    output: str = ""

    def text(self) -> str:
        return self.output

    def calls_html(self) -> str:
        return ("<div class='kvmlab-calls' style='font-size:90%;color:#555'>"
                f"<div><b>shell:</b> <code>$ {escape(self.command)}</code></div></div>")


@dataclass
class Layer:
    """One image of a backing chain, as ``qemu-img info --output=json`` reports it. Sizes in bytes:
    ``virtual_size`` is the disk the guest sees, ``actual_size`` what the file takes on the host."""

    filename: str
    format: str
    virtual_size: int
    actual_size: int | None = None
    backing_file: str | None = None
    backing_format: str | None = None

    def __str__(self) -> str:
        back = f", backing file {self.backing_file} ({self.backing_format})" if self.backing_file else ""
        return f"{self.filename}: {self.format}, virtual size {self.virtual_size} bytes{back}"


@dataclass
class ImgInfo(ImgCommand):
    """``qemu-img info [--backing-chain] FILE``: the text qemu-img prints, and each layer as data
    (``layers[0]`` is the file asked about, then its backing file, and so on)."""

    layers: list[Layer] = field(default_factory=list)

    @property
    def top(self) -> Layer:
        return self.layers[0]

    @property
    def format(self) -> str:
        return self.top.format

    @property
    def virtual_size(self) -> int:
        return self.top.virtual_size

    @property
    def backing_file(self) -> str | None:
        return self.top.backing_file

    def chain(self) -> str:
        """The chain in one line, top first: ``top.qcow2 (qcow2) -> base.qcow2 (qcow2)``."""
        return " -> ".join(f"{layer.filename} ({layer.format})" for layer in self.layers)


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Unsupported(_("{name} is not installed on this machine").format(name=name),
                          hint=_("it comes with QEMU's tools: apt-get install qemu-utils (dnf install qemu-img)"))
    return path


def _word(value: object, what: str) -> str:
    """A file name or path as one argument: text, no NUL, never read as an option or a protocol."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise InvalidInput(_("expected the {what} as a non-empty str or path, got {type}: {value}").format(
                           what=_(what), type=type(value).__name__, value=repr(value)[:60]),
                           hint=_("give the {what} as text, e.g. 'base.qcow2'").format(what=_(what)))
    if "\0" in value:
        raise InvalidInput(_("the {what} {value} holds a NUL character").format(what=_(what), value=repr(value)),
                           hint=_("no file name can hold NUL (\\0)"))
    if ":" in value and not value.startswith(("/", "./")):
        raise InvalidInput(_("the {what} {value} holds ':'").format(what=_(what), value=repr(value)),
                           hint=_("qemu-img reads 'proto:…' as a protocol (nbd:, json: …); rename it, or write ./")
                           + value)
    return "./" + value if value.startswith("-") else value


def _format(value: object) -> str:
    if not isinstance(value, str) or not _FORMAT.match(value):
        raise InvalidInput(_("{value} is not an image format name").format(value=repr(value)),
                           hint=_("formats: ") + ", ".join(FORMATS))
    return value


def _size(value: object, signed: bool = False) -> str:
    """A size as qemu-img reads it: an int of bytes, or text like '1G', '512M', '1.5G' ('+1G' to resize)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput(_("expected a size, got {type}: {value}").format(type=type(value).__name__,
                                                                          value=repr(value)[:60]),
                           hint=_("a number of bytes, or text such as '1G' or '512M'"))
    text = str(value)
    body = text[1:] if signed and text[:1] in "+-" else text
    if not _SIZE.match(body):
        raise InvalidInput(_("{text} is not a size qemu-img reads").format(text=repr(text)),
                           hint=_("a number and k, M, G or T (1024-based), e.g. '1G', '512M', '1.5G'")
                                + (_("; '+1G' grows, '-1G' shrinks") if signed else ""))
    return text


def run(program: str, args: Sequence[str], cwd: str | os.PathLike | None = None,
        timeout: float = TIMEOUT) -> ImgCommand:
    """Run ``program args…`` (qemu-img or qemu-io) in ``cwd``; its output, or its own lines as the error.

    Raises:
        Unsupported: the program is not installed.
        OperationFailed: it failed (its lines and a hint) or did not finish within ``timeout`` s.
    """
    argv = [_program(program), *args]
    line = " ".join(shlex.quote(a) for a in [program, *args])
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, encoding="utf-8", errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OperationFailed(_("`{command}` did not finish within {timeout:g} s").format(command=line,
                                                                                          timeout=timeout),
                              hint=_("a big image or a slow disk: try a smaller size, or a longer timeout")) from None
    except OSError as exc:
        raise OperationFailed(_("cannot run `{command}`: {exc}").format(command=line, exc=exc),
                              hint=_("check the working directory exists")) from exc
    if p.returncode:
        said = [ln for ln in (p.stderr + p.stdout).splitlines() if ln.strip()] or [f"exit status {p.returncode}"]
        text = " ".join(said)
        hint = next((_(h).format(formats=", ".join(FORMATS)) for key, h in _HINTS.items() if key in text), None) or _(
            "its own words are above; `{program} --help` lists what it takes").format(program=program)
        err = OperationFailed(_("`{command}` failed: {error}").format(command=line, error=said[0]), hint=hint,
                              virsh_error=said)
        err.virsh = line
        raise err
    return ImgCommand(command=line, output=p.stdout + p.stderr)  # a warning shows, as in a terminal


def create(name: str | os.PathLike, size: str | int | None = None, format: str = "qcow2",
           backing: str | os.PathLike | None = None, backing_format: str | None = None,
           preallocation: str | None = None, cwd: str | os.PathLike | None = None,
           overwrite: bool = False) -> ImgCommand:
    """``qemu-img create -f FORMAT [-b BACKING -F BACKING_FORMAT] NAME [SIZE]``.

    With a backing file the size may be left out (the overlay is as big as its backing file).
    ``preallocation``: ``off`` (thin), ``metadata``, ``falloc`` or ``full`` (thick).
    qemu-img itself overwrites an existing file without asking; here that needs ``overwrite=True``.
    """
    target = _word(name, N_("image name"))
    args = ["create", "-f", _format(format)]
    if backing is not None:
        args += ["-b", _word(backing, N_("backing file"))]
        if backing_format is not None:
            args += ["-F", _format(backing_format)]
    if preallocation is not None:
        if preallocation not in ("off", "metadata", "falloc", "full"):
            raise InvalidInput(_("unknown preallocation {value}").format(value=repr(preallocation)),
                               hint=_("off, metadata, falloc or full"))
        args += ["-o", f"preallocation={preallocation}"]
    args.append(target)
    if size is not None:
        args.append(_size(size))
    elif backing is None:
        raise InvalidInput(_("a new image needs a size"),
                           hint=_("e.g. size='1G' (only an overlay takes its backing file's)"))
    _refuse_existing(target, cwd, overwrite, "create")
    return run("qemu-img", args, cwd)


def _refuse_existing(target: str, cwd, overwrite: bool, verb: str) -> None:
    where = Path(cwd or ".") / target
    if where.exists() and not overwrite:
        raise InvalidInput(_("{target} exists already").format(target=target), virsh_error=[f"{target} exists already"],
                           hint=_("qemu-img {verb} would replace it without asking; pick another name, delete it "
                                  "first, or pass overwrite=True").format(verb=verb))


def _layer(d: dict) -> Layer:
    return Layer(filename=d.get("filename", ""), format=d.get("format", ""), virtual_size=d.get("virtual-size", 0),
                 actual_size=d.get("actual-size"), backing_file=d.get("backing-filename"),
                 backing_format=d.get("backing-filename-format"))


def info(name: str | os.PathLike, backing_chain: bool = False, force_share: bool = False,
         cwd: str | os.PathLike | None = None) -> ImgInfo:
    """``qemu-img info [--backing-chain] [-U] NAME``: format, virtual size, disk size, backing file.

    ``force_share`` (-U) reads an image a running VM holds (its numbers may be a moment old).
    """
    target = _word(name, N_("image name"))
    opts = (["--backing-chain"] if backing_chain else []) + (["-U"] if force_share else [])
    shown = run("qemu-img", ["info", *opts, target], cwd)
    data = json.loads(run("qemu-img", ["info", *opts, "--output=json", target], cwd).output)
    layers = [_layer(d) for d in (data if isinstance(data, list) else [data])]
    return ImgInfo(command=shown.command, output=shown.output, layers=layers)


def convert(source: str | os.PathLike, target: str | os.PathLike, format: str, source_format: str | None = None,
            cwd: str | os.PathLike | None = None, overwrite: bool = False) -> ImgCommand:
    """``qemu-img convert [-f SRC_FORMAT] -O FORMAT SOURCE TARGET``: a new, independent image with the
    disk's contents (a backing chain is read through and flattened; zeros are left out)."""
    src, dst = _word(source, N_("source image")), _word(target, N_("target image"))
    args = ["convert"] + (["-f", _format(source_format)] if source_format else []) + ["-O", _format(format), src, dst]
    _refuse_existing(dst, cwd, overwrite, "convert")
    return run("qemu-img", args, cwd)


def resize(name: str | os.PathLike, size: str | int, shrink: bool = False, format: str | None = None,
           cwd: str | os.PathLike | None = None) -> ImgCommand:
    """``qemu-img resize [--shrink] NAME SIZE``: a new virtual size; ``+1G`` / ``-1G`` change it by that much."""
    args = ["resize"] + (["--shrink"] if shrink else []) + (["-f", _format(format)] if format else [])
    return run("qemu-img", [*args, _word(name, N_("image name")), _size(size, signed=True)], cwd)


def _io_command(verb: str, offset: str | int, length: str | int, pattern: int) -> str:
    if isinstance(pattern, bool) or not isinstance(pattern, int) or pattern not in _PATTERN:
        raise InvalidInput(_("pattern {pattern} is not a byte").format(pattern=repr(pattern)),
                           hint=_("a number 0..255, e.g. 0x5a"))
    return f"{verb} -P {pattern:#04x} {_size(offset)} {_size(length)}"


def write(name: str | os.PathLike, offset: str | int = 0, length: str | int = "1M", pattern: int = 0x5A,
          format: str = "qcow2", cwd: str | os.PathLike | None = None) -> ImgCommand:
    """``qemu-io -f FORMAT -c 'write -P PATTERN OFFSET LENGTH' NAME``: write as a guest would, through
    the format (into a qcow2 overlay, not its backing file). Only the first line of qemu-io's report is
    kept (the second is a speed, different every run)."""
    done = run("qemu-io", ["-f", _format(format), "-c", _io_command("write", offset, length, pattern),
                           _word(name, N_("image name"))], cwd)
    done.output = done.output.splitlines()[0] + "\n" if done.output else ""
    return done


def pattern_at(name: str | os.PathLike, offset: str | int = 0, length: str | int = "1M", pattern: int = 0x5A,
               format: str = "qcow2", cwd: str | os.PathLike | None = None) -> bool:
    """True when the disk NAME shows (reading through its backing chain) ``pattern`` at every byte of
    OFFSET..OFFSET+LENGTH: ``qemu-io -c 'read -P …'``."""
    try:
        run("qemu-io", ["-f", _format(format), "-r", "-c", _io_command("read", offset, length, pattern),
                        _word(name, N_("image name"))], cwd)
    except OperationFailed as err:
        if any("Pattern verification failed" in line for line in err.virsh_error):
            return False
        raise
    return True


def image_map(name: str | os.PathLike, cwd: str | os.PathLike | None = None) -> list[dict]:
    """``qemu-img map --output=json NAME``: which layer (``depth``: 0 is NAME itself) holds each range."""
    return json.loads(run("qemu-img", ["map", "--output=json", _word(name, N_("image name"))], cwd).output)
