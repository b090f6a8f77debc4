"""Lesson 6 checks: QEMU command lines, -m in MiB vs <memory> in KiB, flags read back from libvirt."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kvmlab.concepts.qemuflags import flags_to_spec
from kvmlab.exercises import ExerciseFailed, show_answer
from kvmlab.exercises import lesson06 as l6

from tests.conftest import inventory
from tests.exercises.conftest import climb

D = l6.DISK
QEMU = shutil.which("qemu-system-x86_64")


@pytest.mark.parametrize("line", [
    f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda {D}",
    f"qemu-system-x86_64 -enable-kvm -m 2G -smp 2 -hda {D}",
    f"/usr/bin/qemu-system-x86_64 -accel kvm -m 2048M -smp cpus=2 -drive file={D},if=virtio,format=qcow2",
    f"qemu-kvm -m 2048 -smp 2 {D}",
    f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda {D} -boot c",
    f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda {D} -cdrom /iso/debian.iso -boot dc",
])  # fmt: skip
def test_right_lines_pass(line):
    done = l6.check_command(line)
    assert done.title == "the command line of the VM the task describes"  # not one libvirt would write (-hda)
    assert "-blockdev and -device instead of -hda" in done.details[-1]
    assert flags_to_spec(line).memory == 2048 * 1024
    assert any("<memory unit=\"MiB\">2048</memory>" in d for d in done.details)


ANSWER = f'line = "qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda {D}"'


# (the line, its diagnosis, the first rung: the concept, the second rung: the flag to use)
@pytest.mark.parametrize("line, message, concept, pointer", [
    (f"qume-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda {D}", "typo for QEMU", "'qemu-system-x86_64'",
     "qemu-system-x86_64"),
    (f"qume-kvm -m 2048 -smp 2 -hda {D}", "they write 'qume'", "'qemu-kvm'", "qemu-system-x86_64"),
    (f"-enable-kvm -m 2048 -smp 2 -hda {D}", "starts with a flag", "starts with the program",
     "/usr/libexec/qemu-kvm"),
    (f"virsh -m 2048 -smp 2 -hda {D}", "not a QEMU program", "not a libvirt client", "qemu-system-x86_64"),
    (f"qemu-system-x86_64 -enable-kvm -smp 2 -hda {D}", "no -m", "设置内存大小", "-m N counts MiB"),
    (f"qemu-system-x86_64 -enable-kvm -m 2 -smp 2 -hda {D}", "counts MiB, not GiB", "1 GiB = 1024 MiB",
     "-m NG counts GiB"),
    (f"qemu-system-x86_64 -enable-kvm -m 2097152 -smp 2 -hda {D}", "is the KiB number", "factor of 1024",
     "divide by 1024"),
    (f"qemu-system-x86_64 -enable-kvm -m 2147483648 -smp 2 -hda {D}", "in bytes", "2^20 bytes",
     "divide by 1024 twice"),
    (f"qemu-system-x86_64 -enable-kvm -m 2000 -smp 2 -hda {D}", "1 GiB = 1024 MiB", "not 1000", "-m N counts MiB"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048MB -smp 2 -hda {D}", "Parameter 'size' expects", "single letters",
     "-m 2048M (or the plain MiB number)"),
    (f"qemu-system-x86_64 -enable-kvm -m 2GB -smp 2 -hda {D}", "Parameter 'size' expects", "single letters",
     "one letter after the number: -m 2G"),
    (f"qemu-system-x86_64 -enable-kvm m 2048 -smp 2 -hda {D}", "'m' without a dash is not a flag",
     "starts with a dash", "-m"),
    (f"qemu-system-x86_64 -enable-kvm -m 12X -smp 2 -hda {D}", "Parameter 'size' expects", "own syntax", "suffix"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -hda {D}", "1 vCPU (no -smp", "设置CPU个数", "-smp N"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 4 -hda {D}", "4 vCPUs", "设置CPU个数", "-smp N"),
    (f"qemu-system-x86_64 -m 2048 -smp 2 -hda {D}", "TCG", "hardware acceleration", "-enable-kvm"),
    ("qemu-system-x86_64 -enable-kvm -m 2048 -smp 2", "there is no disk", "by its path", "-hda FILE"),
    ("qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda ex6.qcow2", f"not the task's image {D}", "by its path",
     "-drive file=FILE"),
    ("qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda '/a b", "cannot be split", "must be closed", "quote"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hdb {D}", f"{D} is the second IDE disk, hdb; the task asks "
     "for the first hard disk, hda", "hda, hdb, hdc, hdd on IDE", "-hda FILE (the first IDE disk)"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hdc {D}", "the third IDE disk, hdc", "-cdrom takes hdc",
     "-hda FILE"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -drive file=/x.img,if=virtio -drive file={D},if=virtio",
     "the second virtio disk, vdb; the task asks for the first hard disk, vda", "vda, vdb", "if=virtio"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -drive file={D},if=virtio -drive file=/x.img,if=ide,index=0",
     "the VM also gets /x.img as hda: the task describes one hard disk", "each -hdX or -drive adds one more",
     "one disk flag"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda {D} -boot d", "-boot d makes the firmware look for a "
     "CD-ROM first, and this VM has none (no -cdrom)", "orders the devices the VM has", "drop -boot"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda {D} -boot order=a", "look for a floppy drive first", "orders the devices the VM has", "drop -boot"),
    (f"qemu-system-x86_64 -enable-kvm -m 2048 -smp 2 -hda {D} -boot n", "try the network (PXE", "hard disk, QEMU's "
     "default", "drop -boot"),
])  # fmt: skip
def test_each_mistake_has_its_ladder(line, message, concept, pointer):
    first, second, answer = climb(l6.check_command, line)
    assert message in first.message
    assert concept in first.hint and pointer in second.hint
    for err in (first, second):  # the whole line is only in the answer
        assert ANSWER.split('"')[1] not in str(err) and "-m 2048 -smp 2" not in err.hint
    assert answer.startswith(ANSWER)


def test_the_answer_follows_the_checks_arguments():
    with pytest.raises(ExerciseFailed):
        l6.check_command("TODO", memory_mib=1024, vcpus=4, disk="/d.qcow2", kvm=False)
    code = show_answer("6.1").code
    assert code.startswith('line = "qemu-system-x86_64 -m 1024 -smp 4 -hda /d.qcow2"')
    assert l6.check_command(code.split('"')[1], memory_mib=1024, vcpus=4, disk="/d.qcow2", kvm=False)


@pytest.mark.skipif(QEMU is None, reason="QEMU is not installed")
@pytest.mark.parametrize("value", ["2048MB", "2048mb", "12X"])
def test_refused_sizes_quote_qemu_itself(value):
    """QEMU refuses these at once (no guest starts): the check must say what QEMU says."""
    real = subprocess.run([QEMU, "-m", value, "-machine", "none", "-nodefaults", "-display", "none", "-S"],
                          capture_output=True, text=True, timeout=30)
    assert real.returncode != 0
    with pytest.raises(ExerciseFailed) as info:
        l6.check_command(f"qemu-system-x86_64 -enable-kvm -m {value} -smp 2 -hda {D}")
    assert info.value.message == "QEMU says: " + real.stderr.splitlines()[0]


def test_memory_kib():
    assert l6.check_memory_kib(2097152).title == "-m 2048 = <memory>2097152</memory>"
    assert l6.check_memory_kib(1048576, mib=1024)
    cases = {2048: "that is the MiB number", 2048000: "multiplies by 1000", 2147483648: "in bytes",
             "2097152": "not a number", True: "not a number", 5: "5 KiB",
             2000000: "a power of 1000 where 1024 belongs (2 GB taken as 2000000 KB)"}
    for answer, words in cases.items():
        with pytest.raises(ExerciseFailed) as info:
            l6.check_memory_kib(answer)
        assert words in info.value.message, answer
    first, second, code = climb(l6.check_memory_kib, 2048)
    assert "1024 times larger in KiB" in first.hint and "MiB x 1024" in second.hint
    assert "2097152" not in first.hint + second.hint and code.startswith("kib = 2048 * 1024   # = 2097152")


def test_no_answer_yet_never_climbs(conn):
    for check, args in ((l6.check_command, ("TODO",)), (l6.check_memory_kib, (0,)), (l6.check_flags_of, (conn, "TODO"))):
        for _ in range(2):
            with pytest.raises(ExerciseFailed) as info:
                check(*args)
            assert "no answer yet" in info.value.message and info.value.rung == 1 and info.value.untried
    assert "MiB x 1024" not in info.value.hint


def test_flags_the_task_does_not_ask_about_are_left_out():
    done = l6.check_command(f"qemu-system-x86_64 -enable-kvm -m 2G -smp 2 -cpu host -nographic -hda {D}")
    assert "not read, the task does not ask about it: -cpu host -nographic (valid QEMU)" in done.details


def test_flags_of_reads_libvirt(conn):
    info = conn.dominfo("web01")
    mib, cpus = info.max_memory_kib // 1024, info.cpus
    before = inventory(conn)
    assert l6.check_flags_of(conn, f"-m {mib} -smp {cpus}").title == f"web01: -m {mib} -smp {cpus}"
    assert l6.check_flags_of(conn, f"qemu-system-x86_64 -m {mib // 1024}G -smp {cpus}")
    for answer, words in [(f"-m {info.max_memory_kib} -smp {cpus}", "dominfo prints KiB"),
                          (f"-m {mib // 1024} -smp {cpus}", "counts MiB, not GiB"),
                          (f"-m {mib}MB -smp {cpus}", "Parameter 'size'"),
                          (f"-smp {cpus}", "there is no -m"),
                          (f"-m {mib} -smp {cpus + 1}", f"libvirt gives web01 {cpus} vCPUs"),
                          (f"-m {mib}", f"there is no -smp: QEMU gives one vCPU, but libvirt gives web01 {cpus}"),
                          (f"m {mib} smp {cpus}", "'m' without a dash is not a flag"),
                          ("TODO", "no answer yet")]:
        with pytest.raises(ExerciseFailed) as err:
            l6.check_flags_of(conn, answer)
        assert words in err.value.message, answer
    assert inventory(conn) == before  # reading only


def test_flags_of_ladder_and_answer_read_libvirt(conn):
    info = conn.dominfo("web01")
    mib = info.max_memory_kib // 1024
    first, second, answer = climb(l6.check_flags_of, conn, f"-m {info.max_memory_kib} -smp {info.cpus}")
    assert "dominfo prints KiB" in first.message and "1024 times smaller" in first.hint
    assert "divide dominfo's Max memory by 1024" in second.hint and f"-m {mib}" not in first.hint + second.hint
    first, second, _ = climb(l6.check_flags_of, conn, f"-m {mib} -smp {info.cpus + 1}")
    assert "(<vcpu>)" in first.hint and "CPU(s): line of virsh dominfo web01" in second.hint
    found = {"conn": conn}
    exec(answer, found)  # the shown code reads libvirt, and what it computes passes
    assert found["flags"] == f"-m {mib} -smp {info.cpus}" and l6.check_flags_of(conn, found["flags"])


def test_flags_of_follows_an_edit(conn):
    """The check reads libvirt, so after an edit the right answer changes with it."""
    xml = conn.dumpxml("backup", inactive=True).xml
    conn.edit("backup", xml=xml.replace("<memory unit='KiB'>524288</memory>", "<memory unit='KiB'>786432</memory>")
              .replace("<currentMemory unit='KiB'>524288</currentMemory>", ""))
    with pytest.raises(ExerciseFailed):
        l6.check_flags_of(conn, "-m 512 -smp 1", "backup")
    assert l6.check_flags_of(conn, "-m 768 -smp 1", "backup")
