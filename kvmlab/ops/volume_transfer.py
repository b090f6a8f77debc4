"""Copying bytes between a volume and a file over a libvirt stream: virsh vol-upload and vol-download.

Both move the volume's *file* as it is stored, not the disk the guest sees: on a qcow2 volume
vol-download gives the qcow2 file (its header first) and vol-upload overwrites that header, so
uploading raw data into a qcow2 volume breaks it. For a guest's data use a raw volume, or convert
with ``qemu-img`` first. The same client-side work virsh does (tools/virsh-volume.c): open the
file, open a stream, ask libvirt to start the transfer, then read or write the file in chunks.

One difference from virsh, which changes no output: vol-download opens an existing FILE without
truncating it and empties it only once libvirt has agreed to send (virsh truncates first), so a
refused download (the test driver has none) leaves the file as it was.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import TYPE_CHECKING

import libvirt

from ..errors import InvalidInput, KvmlabError, OperationFailed, libvirt_errors, suppressed
from ..i18n import L_, N_, _
from .calls import virsh_line
from .pool_lookup import lookup_volume
from .vsh import require_option, ull_option

if TYPE_CHECKING:
    from .volume_results import VolTransfer

__all__ = ["VolumeTransferOps", "VolTransfer"]


def __getattr__(name: str):
    """kvmlab.ops.volume_transfer.VolTransfer, as before: it lives in volume_results, which loads with
    the first volume command (`kvmlab virsh list` needs none of its dataclasses)."""
    if name == "VolTransfer":
        from .volume_results import VolTransfer

        return VolTransfer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # i18n: not shown


_UNSUPPORTED = N_("libvirt's test driver has no volume data, so it cannot {verb}; on the real lab "
                "(qemu:///system) vol-{verb} copies the volume's file")


def _c(n: int) -> int:
    """An unsigned 64-bit value as libvirt-python passes it (a C long long: the same bits)."""
    return n - 2**64 if n >= 2**63 else n


def _path(file: object) -> str:
    """FILE as virsh gets it: one word of text (a path object is fine from Python)."""
    if isinstance(file, os.PathLike):
        file = os.fspath(file)
    if not isinstance(file, str):
        raise InvalidInput(_("expected a file path, got {type}: {value}").format(type=type(file).__name__,
                                                                                 value=f"{file!r:.60}"),
                           hint=_("pass the file's path as a str or pathlib.Path"))
    text = require_option(file, "file")
    if "\0" in text:
        raise InvalidInput(_("the file name {name} holds a NUL character").format(name=repr(text)),
                           hint=_("no file name holds NUL (\\0); check where the path came from"))
    return text


def _in_data(fd: int) -> tuple[bool, int]:
    """virFileInData: is the file position in data or in a hole, and how long is that section."""
    cur = os.lseek(fd, 0, os.SEEK_CUR)
    try:
        data = os.lseek(fd, cur, os.SEEK_DATA)
    except OSError as exc:
        if exc.errno != errno.ENXIO:
            raise
        end = os.lseek(fd, 0, os.SEEK_END)  # a hole up to the end (or the end itself)
        os.lseek(fd, cur, os.SEEK_SET)
        return False, end - cur
    if data > cur:
        os.lseek(fd, cur, os.SEEK_SET)
        return False, data - cur
    hole = os.lseek(fd, cur, os.SEEK_HOLE)
    os.lseek(fd, cur, os.SEEK_SET)
    return True, hole - cur


class _Counter:
    """The file descriptor the stream callbacks use, and the bytes they moved."""

    def __init__(self, fd: int):
        self.fd = fd
        self.nbytes = 0
        self.regular = stat.S_ISREG(os.fstat(fd).st_mode)

    def read(self, _st, nbytes: int, _opaque=None) -> bytes:
        data = os.read(self.fd, nbytes)
        self.nbytes += len(data)
        return data

    def write(self, _st, data: bytes, _opaque=None) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        self.nbytes += len(data)
        return len(data)

    def in_data(self, _st, _opaque=None) -> tuple[bool, int]:
        return _in_data(self.fd)

    def skip(self, _st, length: int, _opaque=None) -> int:
        cur = os.lseek(self.fd, length, os.SEEK_CUR)
        return 0 if cur >= 0 else -1

    def hole(self, _st, length: int, _opaque=None) -> int:
        """virshStreamSkip: leave a hole and make a file that long (a hole at the end too); a device
        that cannot hold holes gets the zeros written."""
        if not self.regular:
            while length > 0:
                length -= self.write(_st, bytes(min(length, 1 << 20)))
            return 0
        cur = os.lseek(self.fd, length, os.SEEK_CUR)
        os.ftruncate(self.fd, cur)
        return 0


class VolumeTransferOps:
    """vol-upload and vol-download."""

    virconn: libvirt.virConnect

    def vol_upload(self, vol: str, file: str | os.PathLike, pool: str | None = None, offset: int | str = 0,
                   length: int | str = 0, sparse: bool = False) -> VolTransfer:
        """virsh vol-upload VOL FILE [--pool POOL]: write FILE's bytes into the volume's file.

        ``offset``: where in the volume to start; ``length``: how many bytes at most (0: all of FILE).
        ``sparse``: send FILE's holes as holes. virsh prints nothing when it worked.
        """
        start = ull_option(offset, "offset")
        count = ull_option(length, "length", wrap=True)
        api: list[str] = []
        v, _p = lookup_volume(self.virconn, vol, pool, api)
        name = str(vol)
        path = _path(file)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            raise OperationFailed(f"cannot read {path}",  # i18n: virsh's own words
                                  hint=_("vol-upload reads a file on THIS machine (where virsh runs): check "
                                         "the path and that you may read it")) from None
        line = virsh_line("vol-upload", vol, path, pool=pool, offset=offset or None, length=length or None,
                          sparse=sparse)
        flags = libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM if sparse else 0
        io = _Counter(fd)
        try:
            with libvirt_errors(f"cannot upload to volume {name}", hints={
                    "not supported by the connection driver": L_(_UNSUPPORTED, verb="upload")}):
                st = self.virconn.newStream(0)
                v.upload(st, _c(start), _c(count), flags)
            api += ["st = conn.newStream(0)", f"vol.upload(st, {start}, {count}, "
                    + ("libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)" if sparse else "0)")]
            self._pump(st, f"cannot send data to volume {name}",
                       lambda: st.sparseSendAll(io.read, io.in_data, io.skip, None) if sparse
                       else st.sendAll(io.read, None))
            api.append("st.sparseSendAll(read, in_data, skip, None)" if sparse else "st.sendAll(read, None)")
        finally:
            os.close(fd)
        with libvirt_errors(f"cannot close volume {name}"):
            st.finish()
        api.append("st.finish()")
        from .volume_results import VolTransfer

        return VolTransfer(direction="upload", vol=name, file=path, nbytes=io.nbytes, offset=start,
                           virsh=line, api=api)

    def vol_download(self, vol: str, file: str | os.PathLike, pool: str | None = None, offset: int | str = 0,
                     length: int | str = 0, sparse: bool = False) -> VolTransfer:
        """virsh vol-download VOL FILE [--pool POOL]: copy the volume's file into FILE (made or replaced).

        ``offset``: where in the volume to start; ``length``: how many bytes at most (0: to the end).
        ``sparse``: keep the volume's holes as holes in FILE. virsh prints nothing when it worked.
        """
        start = ull_option(offset, "offset")
        count = ull_option(length, "length", wrap=True)
        api: list[str] = []
        v, _p = lookup_volume(self.virconn, vol, pool, api)
        name = str(vol)
        path = _path(file)
        created = False
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            created = True
        except FileExistsError:
            try:
                fd = os.open(path, os.O_WRONLY)  # emptied once libvirt agrees to send (see the module doc)
            except OSError:
                fd = -1
        except OSError:
            fd = -1
        if fd < 0:
            raise OperationFailed(f"cannot create {path}",  # i18n: virsh's own words
                                  hint=_("vol-download writes a file on THIS machine (where virsh runs): check "
                                         "that its directory exists and that you may write there"))
        line = virsh_line("vol-download", vol, path, pool=pool, offset=offset or None, length=length or None,
                          sparse=sparse)
        flags = libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM if sparse else 0
        io = _Counter(fd)
        done = False
        try:
            with libvirt_errors(f"cannot download from volume {name}", hints={
                    "not supported by the connection driver": L_(_UNSUPPORTED, verb="download")}):
                st = self.virconn.newStream(0)
                v.download(st, _c(start), _c(count), flags)
            api += ["st = conn.newStream(0)", f"vol.download(st, {start}, {count}, "
                    + ("libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)" if sparse else "0)")]
            if io.regular:
                os.ftruncate(fd, 0)
            self._pump(st, f"cannot receive data from volume {name}",
                       lambda: st.sparseRecvAll(io.write, io.hole, None))
            api.append("st.sparseRecvAll(write, hole, None)")
            with libvirt_errors(f"cannot close volume {name}"):
                st.finish()
            api.append("st.finish()")
            done = True
        finally:
            os.close(fd)
            if not done and created:
                os.unlink(path)
        from .volume_results import VolTransfer

        return VolTransfer(direction="download", vol=name, file=path, nbytes=io.nbytes, offset=start,
                           virsh=line, api=api)

    @staticmethod
    def _pump(st: libvirt.virStream, failed: str, run) -> None:
        """Run the stream's loop; a libvirt error or a file error ends as virsh's ``failed`` line."""
        try:
            with libvirt_errors(failed):
                run()
        except KvmlabError:
            _abort(st)
            raise
        except (OSError, RuntimeError) as exc:
            _abort(st)
            raise OperationFailed(f"{failed}: {exc}", virsh_error=[failed, str(exc)],
                                  hint=_("the file side of the transfer failed: check the disk has room and the "
                                         "file is yours to read or write")) from exc


def _abort(st: libvirt.virStream) -> None:
    with suppressed(lost=True):  # the stream may be finished or gone already
        st.abort()
