"""cloud-init's NoCloud seed: three small files on a disk labelled ``cidata`` (lesson 17).

A cloud image (Debian's, Ubuntu's …) boots once as a blank copy; cloud-init, run by its first boot, looks
for its configuration in a *data source*. The NoCloud data source needs no network service: a
filesystem (iso9660 or vfat) whose **volume label is cidata** (or CIDATA), holding

* ``meta-data`` (required): YAML about the instance: ``instance-id`` (a new id = a new instance, so the
  first-boot modules run again) and ``local-hostname``;
* ``user-data`` (required): what to do; a ``#cloud-config`` document starts with exactly that line;
* ``network-config`` (optional): the network, in netplan's version 2 format.

::

    seed = nocloud.default_seed("kvmlab-inst")
    image = nocloud.build_seed(seed, "/tmp/seed.iso")     # cloud-localds, else xorriso / genisoimage
    nocloud.read_seed(image.path)                          # label + files, read back from the ISO itself
    nocloud.problems(nocloud.read_seed(image.path))        # what would make cloud-init ignore it

:func:`read_seed` parses the ISO's volume descriptors and its Joliet directory in Python, so reading a
seed back needs no tool and no mount.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInput, OperationFailed
from ..i18n import N_, _
from ..ops.result import Result

__all__ = ["LABEL", "HEADER", "Seed", "SeedImage", "SeedContents", "default_seed", "build_seed", "read_seed",
           "problems", "seed_tool", "INSTALL"]

LABEL = "cidata"
HEADER = "#cloud-config"
INSTALL = N_("apt-get install xorriso (or cloud-image-utils for cloud-localds; ./kvmlab.sh installs xorriso)")
_FILES = ("meta-data", "user-data", "network-config")
# Other first lines cloud-init understands (its user-data formats): each is a different kind of part.
_OTHER_HEADERS = ("#!", "#include", "#cloud-boothook", "#part-handler", "#upstart-job", "Content-Type:",
                  "## template: jinja")


@dataclass(frozen=True)
class Seed:
    """The three files' texts and the label the seed disk gets."""

    meta_data: str
    user_data: str
    network_config: str | None = None
    label: str = LABEL

    def files(self) -> dict[str, str]:
        out = {"meta-data": self.meta_data, "user-data": self.user_data}
        if self.network_config is not None:
            out["network-config"] = self.network_config
        return out


def default_seed(hostname: str = "kvmlab-inst", instance_id: str | None = None) -> Seed:
    """A small, complete seed: a hostname, a user without password, a file, a command; DHCP on virtio NICs."""
    if not isinstance(hostname, str) or not hostname.replace("-", "").isalnum() or len(hostname) > 63:
        raise InvalidInput(_("invalid hostname {hostname}").format(hostname=repr(hostname)),
                           hint=_("letters, digits and '-', e.g. 'kvmlab-inst'"))
    iid = instance_id or f"iid-{hostname}-1"
    meta = f"instance-id: {iid}\nlocal-hostname: {hostname}\n"
    user = (f"{HEADER}\n"
            f"hostname: {hostname}\n"
            "users:\n"
            "  - name: learner\n"
            "    shell: /bin/sh\n"
            "    lock_passwd: true\n"
            "write_files:\n"
            "  - path: /etc/motd\n"
            "    content: |\n"
            "      installed the usual way: virt-install --import and a NoCloud seed\n"
            "runcmd:\n"
            "  - [sh, -c, 'echo seeded > /run/kvmlab-seeded']\n")
    net = ("version: 2\n"
           "ethernets:\n"
           "  nic0:\n"
           "    match:\n"
           "      driver: virtio_net\n"
           "    dhcp4: true\n")
    return Seed(meta, user, net)


def seed_tool() -> str | None:
    """The program :func:`build_seed` uses: cloud-localds, xorriso, genisoimage (the first found)."""
    return next((t for t in ("cloud-localds", "xorriso", "genisoimage") if shutil.which(t)), None)


def _command(tool: str, iso: Path, names: list[str], label: str) -> list[str]:
    if tool == "cloud-localds":  # writes the label itself: always cidata
        net = ["-N", "network-config"] if "network-config" in names else []
        return ["cloud-localds", *net, str(iso), "user-data", "meta-data"]
    if tool == "xorriso":
        return ["xorriso", "-as", "mkisofs", "-output", str(iso), "-volid", label, "-joliet", "-rock", *names]
    return ["genisoimage", "-output", str(iso), "-volid", label, "-joliet", "-rock", *names]


@dataclass
class SeedImage(Result):
    """A seed image written: where, with which command, and what it holds (read back from the file)."""

    path: str = ""
    tool: str = ""
    command: str = ""
    contents: "SeedContents | None" = None

    def text(self) -> str:
        body = str(self.contents) if self.contents else ""
        return f"$ {self.command}\nwritten: {self.path}\n{body}"


@dataclass
class SeedContents(Result):
    """What a seed image holds: its volume label, its filesystem and its files (name -> text)."""

    path: str = ""
    label: str = ""
    filesystem: str = ""
    files: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        lines = [f"volume label: {self.label!r} ({self.filesystem})", f"files: {', '.join(sorted(self.files))}"]
        for name in _FILES:
            if name in self.files:
                lines.append(f"--- {name}")
                lines.append(self.files[name].rstrip("\n"))
        return "\n".join(lines) + "\n"


def _check_text(text: object, what: str, optional: bool = False) -> None:
    if text is None and optional:
        return
    if not isinstance(text, str):
        raise InvalidInput(_("Seed.{what} must be text, got {type}").format(what=what, type=type(text).__name__),
                           hint=_("write the file's content as a str, e.g. nocloud.default_seed().{what}").format(
                               what=what))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(_("Seed.{what} holds characters that are not UTF-8").format(what=what),
                           hint=_("cloud-init reads UTF-8 YAML: write plain text")) from None
    if "\0" in text:
        raise InvalidInput(_("Seed.{what} holds a NUL character").format(what=what),
                           hint=_("YAML files hold text: remove the \\0"))


def build_seed(seed: Seed, iso: str | os.PathLike, tool: str | None = None) -> SeedImage:
    """Write ``seed``'s files to a temporary folder and make the ISO ``iso`` from them.

    Raises:
        InvalidInput: ``seed`` is not a Seed, or its label is not one an ISO can carry.
        OperationFailed: no tool to make ISOs (the message says which package to install), or it failed.
    """
    if not isinstance(seed, Seed):
        raise InvalidInput(_("expected a nocloud.Seed, got {type}").format(type=type(seed).__name__),
                           hint=_("make one with nocloud.Seed(meta_data=…, user_data=…) or nocloud.default_seed()"))
    for what, text in (("meta_data", seed.meta_data), ("user_data", seed.user_data),
                       ("network_config", seed.network_config), ("label", seed.label)):
        _check_text(text, what, optional=what == "network_config")
    if not seed.label or len(seed.label) > 32 or not seed.label.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(_("invalid volume label {label}").format(label=repr(seed.label)),
                           hint=_("up to 32 letters, digits, '-', '_' (NoCloud looks for '{label}')").format(
                               label=LABEL))
    tool = tool or seed_tool()
    if tool is None:
        raise OperationFailed(_("no program to make an ISO image was found (cloud-localds, xorriso, genisoimage)"),
                              hint=_(INSTALL))
    if tool == "cloud-localds" and seed.label != LABEL:
        tool = seed_tool() if seed_tool() != "cloud-localds" else "xorriso"  # cloud-localds cannot mislabel
    if not isinstance(iso, (str, os.PathLike)) or "\0" in str(iso) or not str(iso).strip():
        raise InvalidInput(_("expected the path of the ISO to write, got {iso}").format(iso=repr(iso)),
                           hint=_("e.g. '/tmp/seed.iso'"))
    target = Path(iso).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kvmlab-seed-") as work:
        for name, text in seed.files().items():
            (Path(work) / name).write_text(text, encoding="utf-8")
        argv = _command(tool, target, list(seed.files()), seed.label)
        try:
            out = subprocess.run(argv, cwd=work, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OperationFailed(_("{tool} could not run: {exc}").format(tool=tool, exc=exc), hint=_(INSTALL)) from exc
    if out.returncode != 0:
        raise OperationFailed(_("{tool} failed: {error}").format(tool=tool, error=out.stderr.strip()[-400:]),
                              hint=_("run it by hand: {command}").format(command=' '.join(argv)))
    target.chmod(0o644)  # QEMU runs as another user
    shown = " ".join(a if a != str(target) else target.name for a in argv)
    return SeedImage(path=str(target), tool=tool, command=shown, contents=read_seed(target),
                     virsh=f"(no virsh twin: {tool} runs on the host)", api=[])


# -- reading an ISO back --------------------------------------------------------------------------------------

_SECTOR = 2048


def _records(data: bytes, extent: int, size: int) -> list[tuple[str, int, int, bool]]:
    """(name bytes decoded later, extent, size, is_dir) of each directory record of one directory."""
    out = []
    blob = data[extent * _SECTOR: extent * _SECTOR + size]
    pos = 0
    while pos < len(blob):
        length = blob[pos]
        if length == 0:  # records do not cross sectors: skip to the next one
            pos = (pos // _SECTOR + 1) * _SECTOR
            continue
        rec = blob[pos:pos + length]
        name_len = rec[32]
        out.append((rec[33:33 + name_len], int.from_bytes(rec[2:6], "little"), int.from_bytes(rec[10:14], "little"),
                    bool(rec[25] & 2)))
        pos += length
    return out


def read_seed(path: str | os.PathLike) -> SeedContents:
    """The label and the files of an ISO 9660 seed image, read from its bytes (Joliet names when present).

    Raises:
        InvalidInput: the file is missing or is not an ISO 9660 image (a vfat seed is not read here).
    """
    if not isinstance(path, (str, os.PathLike)) or "\0" in str(path):
        raise InvalidInput(_("expected the seed image's path, got {path}").format(path=repr(path)),
                           hint=_("e.g. nocloud.read_seed('seed.iso')"))
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(_("no seed image at {path}").format(path=p),
                           hint=_("build one first: nocloud.build_seed(seed, PATH)"))
    data = p.read_bytes()
    if data[16 * _SECTOR + 1:16 * _SECTOR + 6] != b"CD001":
        raise InvalidInput(_("{path} is not an ISO 9660 image (no CD001 at sector 16)").format(path=p),
                           hint=_("NoCloud also reads a vfat disk labelled cidata, but this lesson builds ISOs"))
    label = data[16 * _SECTOR + 40:16 * _SECTOR + 72].decode("ascii", "replace").rstrip()
    root, joliet = data[16 * _SECTOR + 156:16 * _SECTOR + 190], False
    sector = 17
    while sector < 32 and data[sector * _SECTOR] != 255:  # 255: the set terminator
        desc = data[sector * _SECTOR:(sector + 1) * _SECTOR]
        if desc[0] == 2 and desc[88:91] in (b"%/@", b"%/C", b"%/E"):  # Joliet: UCS-2 names
            root, joliet = desc[156:190], True
        sector += 1
    files = {}
    for raw, extent, size, is_dir in _records(data, int.from_bytes(root[2:6], "little"),
                                              int.from_bytes(root[10:14], "little")):
        if is_dir or raw in (b"\x00", b"\x01"):
            continue
        name = raw.decode("utf-16-be") if joliet else raw.decode("ascii", "replace").lower()
        name = name.split(";")[0].rstrip(".")
        if not joliet:
            name = name.replace("_", "-")  # plain ISO 9660 has no '-': mkisofs writes USER_DAT.
        files[name] = data[extent * _SECTOR:extent * _SECTOR + size].decode("utf-8", "replace")
    return SeedContents(path=str(p), label=label, filesystem="iso9660" + (" + Joliet" if joliet else ""),
                        files=files, virsh="(no virsh twin: the ISO is read on the host)", api=[])


def problems(contents: SeedContents) -> list[str]:
    """Why cloud-init's NoCloud would not use this seed, or would skip its user-data ([] = none)."""
    found = []
    if contents.label not in (LABEL, LABEL.upper()):
        other = (" ('config-2' is OpenStack's ConfigDrive: another data source, which reads "
                 "openstack/latest/meta_data.json)" if contents.label.lower() == "config-2" else "")
        found.append(f"the volume label is {contents.label!r}, NoCloud looks for '{LABEL}' or '{LABEL.upper()}'{other}")
    for name in ("meta-data", "user-data"):
        if name not in contents.files:
            found.append(f"no {name} file: NoCloud needs both meta-data and user-data")
    user = contents.files.get("user-data")
    if user is not None:
        first = user.splitlines()[0] if user.strip() else ""
        if first.strip().replace(" ", "").lower() == HEADER and first != HEADER:
            found.append(f"user-data starts with {first!r}, not exactly '{HEADER}': cloud-init does not know the "
                         "part's type, and ignores it")
        elif first != HEADER and not first.startswith(_OTHER_HEADERS):
            found.append(f"user-data starts with {first!r}: without '{HEADER}' on its first line cloud-init does "
                         "not read it as cloud-config, and ignores it")
    meta = contents.files.get("meta-data", "")
    if "meta-data" in contents.files and "instance-id" not in meta:
        found.append("meta-data has no instance-id: cloud-init tells a first boot by a new instance-id")
    return found
