"""The facts issue 10 corrected stay corrected (each test names the lesson and the source it follows).

Lesson 5 names vhost-net (libvirt's default for virtio NICs under KVM) and says what the embedded lab
simulates; lesson 6 gives the RHEL family's qemu-kvm (``/usr/libexec/qemu-kvm``, dnf) beside Debian's and
reads 设置驱动 as the disk (驱动器); lesson 7 and DomainSpec no longer call ``<currentMemory>`` the RAM the
guest boots with (formatdomain); lesson 8 explains the test driver's CPU time; lesson 10 no longer says a
plain ``pool-build`` of an fs pool runs mkfs (virStorageBackendFileSystemBuild), and its volume facts moved
with the volumes to lesson 10b; no hint says ``create``
"defines and starts" a VM. The lessons' shape (objectives, glossary link, predict-then-run) is
tests/test_lesson_structure.py's.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _cells(lesson: str) -> list[dict]:
    name = lesson if lesson.endswith(".ipynb") else f"{lesson}.ipynb"
    return json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _opening(lesson: str) -> str:
    """The markdown before the lesson's first code cell."""
    cells = _cells(lesson)
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    return "\n".join(_text(c) for c in cells[:first_code] if c["cell_type"] == "markdown")


def _markdown(lesson: str) -> str:
    return "\n".join(_text(c) for c in _cells(lesson) if c["cell_type"] == "markdown")


def test_lesson5_names_vhost_net_as_the_default_path_under_kvm():
    md = _markdown("05-virtual-bridges")
    assert "vhost-net" in md and "/dev/vhost-net" in md
    assert "<driver name='vhost'/>" in md and "<driver name='qemu'/>" in md
    assert re.search(r"by default\*\* when the domain is `type='kvm'`", md)
    assert "every frame the guest sends through its virtio card, QEMU writes" not in md


def test_lesson5_says_what_the_embedded_lab_simulates():
    opening = _opening("05-virtual-bridges")
    assert "What is real here, and what is simulated." in opening
    assert "no bridge, tap or vhost\nworker exists in any kernel" in opening


def test_lesson6_gives_the_rhel_family_binary_and_commands_beside_debians():
    md = _markdown("06-qemu-kvm-flags")
    assert "/usr/libexec/qemu-kvm" in md
    assert "dnf install qemu-kvm libvirt virt-install" in md
    assert "apt install qemu-system-x86 libvirt-daemon-system virtinst" in md
    assert "is the old name of" not in md


def test_lesson6_says_that_the_notes_qudong_means_driver_and_they_mean_the_disk():
    opening = _opening("06-qemu-kvm-flags")
    assert "**驱动** is a *driver*" in opening and "**驱动器** a *drive*" in opening
    assert "the disk drives" not in opening


def test_exercise6_hints_do_not_call_qemu_kvm_an_old_name():
    source = (ROOT / "kvmlab" / "exercises" / "lesson06.py").read_text(encoding="utf-8")
    assert "older names" not in source and "used to call it qemu-kvm" not in source
    assert "/usr/libexec/qemu-kvm" in source


def test_lesson7_no_longer_calls_current_memory_the_boot_ram():
    nb = (ROOT / "notebooks" / "07-domain-xml.ipynb").read_text(encoding="utf-8")
    assert not re.search(r"currentMemory[^\n]{0,40}(RAM the guest boots with|RAM at boot)", nb)
    md = _markdown("07-domain-xml")
    assert "The guest **boots with `<memory>`**" in md
    assert "`<currentMemory>` is the **balloon target**" in md
    table_cell = next(c for c in _cells("07-domain-xml") if '"currentMemory": (' in _text(c))
    assert "the balloon target" in _text(table_cell)
    assert any("balloon target" in str(o) for o in table_cell["outputs"]), "the stored table says it too"


def test_domainspec_documents_current_memory_as_the_balloon_target():
    from kvmlab.specs import DomainSpec

    assert "balloon target" in DomainSpec.__dict__["current_memory"].__doc__
    assert "at boot" in DomainSpec.__dict__["memory"].__doc__


def _fs_row() -> str:
    rows = [ln for ln in _markdown("10-storage-pools.ipynb").splitlines() if ln.startswith("| `fs` |")]
    assert len(rows) == 1
    return rows[0]


def test_lesson10_pool_build_fs_formats_only_with_a_flag():
    row = _fs_row()
    does = row.split("|")[3]
    assert "directory" in does
    assert "`--overwrite`" in does and "`--no-overwrite`" in does
    assert not re.match(r"\s*formats", does), "plain pool-build does not run mkfs"
    assert "formats the device (`mkfs`) —" not in _markdown("10-storage-pools.ipynb")


def test_lesson10b_keeps_the_volume_facts_that_lesson10_had():
    md = _markdown("10-storage-volumes")
    assert "are **binary**: 1G = 1GiB = 1024³ bytes" in md
    assert "are **decimal**: 1GB = 10⁹ bytes" in md and "a bare number is **bytes**" in md
    assert "`<capacity unit='G'>` is GiB, `unit='GB'` is 10⁹ bytes" in md
    assert "`vol-delete` deletes the volume **and its data**" in md
    assert "a new qcow2 file takes a few hundred KiB whatever its capacity" in md
    # pool-undefine leaves the files; the test driver keeps volumes with the pool object (testStoragePoolUndefine)
    assert "the file stayed in the directory" in md and "keeps volumes only in memory" in md
    pools = _markdown("10-storage-pools")
    assert "vol-create-as" not in pools.split("## `pool-list", 1)[1], "lesson 10 leaves the volumes to 10b"
    assert "[lesson 10b](10-storage-volumes.ipynb)" in pools


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_no_hint_says_create_defines_and_starts():
    wrong = re.compile(r"defines? and starts?|create\s*=\s*define\s*(\+|and)\s*start", re.IGNORECASE)
    found = [f"{path.relative_to(ROOT)}: {s!r}"
             for path in sorted((ROOT / "kvmlab").rglob("*.py"))
             for s in _string_constants(path) if wrong.search(s)]
    assert not found, found


def test_create_hints_say_no_definition_is_kept(conn):
    from kvmlab.exercises import ExerciseFailed
    from kvmlab.exercises import lesson08 as l8
    from kvmlab.ops.domain_define import DEFINE_HINT
    from kvmlab.specs import DomainSpec
    from kvmlab.virsh.hints import MEANING

    assert "no definition kept" in DEFINE_HINT and "no definition kept" in MEANING["define"]
    with pytest.raises(ExerciseFailed) as missing:
        l8.check_running(conn)
    assert "keeps no definition" in missing.value.concept
    conn.create(DomainSpec(name="web02", type="kvm", memory="512MiB", vcpus=1))
    with pytest.raises(ExerciseFailed) as created:
        l8.check_running(conn, persistent=True)
    assert "transient" in created.value.message and "create made a VM that vanishes" in created.value.message
    for err in (missing.value, created.value):  # no rung of the ladder says create defines
        assert "defines and starts" not in err.concept + err.pointer


def test_lesson8_explains_the_test_drivers_cpu_time():
    text = _markdown("08-managing-vms.ipynb")
    assert "testDomainGetInfo" in text and "g_get_real_time()" in text
    assert "/proc/PID/stat" in text, "and what a real QEMU guest reports instead"
