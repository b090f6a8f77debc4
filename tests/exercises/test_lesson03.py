"""Lesson 3 checks: roles and spelling, the virtio disk against QEMU's catalogue, a prediction checked on a real QEMU."""

from __future__ import annotations

import pytest

from kvmlab.concepts import hardware
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson03 as l3
from tests.exercises.conftest import climb

RIGHT = {"cpu": "KVM", "memory": "KVM", "io": "QEMU", "management": "libvirt"}
HAS_QEMU = hardware.qemu_binary() is not None
KVM_WORKS = HAS_QEMU and hardware.probe_kvm().opens
THREADS = ["CPU 0/KVM", "CPU 1/KVM"]
FILES = ["/dev/kvm", "anon_inode:kvm-vcpu:0", "anon_inode:kvm-vcpu:1", "anon_inode:kvm-vm"]


def test_roles_pass_case_insensitive():
    assert l3.check_roles(RIGHT)
    assert l3.check_roles({"cpu": "kvm", "memory": " KVM", "io": "qemu", "management": "LibVirt"})


@pytest.mark.parametrize("job, typo, spelled", [("io", "qume", "QEMU"), ("management", "libirt", "libvirt")])
def test_the_seed_typos_are_caught(job, typo, spelled):
    with pytest.raises(ExerciseFailed) as info:
        l3.check_roles({**RIGHT, job: typo})
    assert info.value.message == f"{job}: {typo!r} is a typo (the course notes make it too)"
    assert info.value.hint.startswith(f"it is spelled {spelled!r}")


@pytest.mark.parametrize("job", list(RIGHT))
@pytest.mark.parametrize("wrong", ["KVM", "QEMU", "libvirt"])
def test_every_wrong_role_has_its_own_diagnosis_then_the_ladder(job, wrong):
    if RIGHT[job] == wrong:
        return
    first, second, answer = climb(l3.check_roles, {**RIGHT, job: wrong})
    assert first.message == f"{job}: not {wrong}: {l3._NOT[(job, wrong)]}"
    assert first.hint == l3._CONCEPT[job] and second.hint == l3._POINTER[job]
    for err in (first, second):  # neither rung names who does the job
        assert RIGHT[job] not in err.hint
    assert f'"{job}": "{RIGHT[job]}"' in answer


def test_missing_roles():
    with pytest.raises(ExerciseFailed) as info:
        l3.check_roles({"cpu": "KVM"})
    assert info.value.message == "no answer for memory, io, management"


@pytest.fixture(scope="module")
def catalog():
    if not HAS_QEMU:
        pytest.skip("qemu-system-x86_64 is not installed")
    return hardware.device_catalog()


@pytest.mark.parametrize("name, note", [
    ("virtio-blk-pci", "-device virtio-blk-pci"),
    ("virtio-blk", "alias"),
    ("virtio-blk-pci-non-transitional", "virtio 1.0 only"),
])  # fmt: skip
def test_virtio_blk_passes_with_its_alias_and_variants(catalog, name, note):
    done = l3.check_virtio_blk(name, catalog)
    assert done.title == f"{name}: the paravirtual disk" and note in done.details[0]


def test_every_name_the_check_accepts_or_explains_is_in_this_qemus_catalogue(catalog):
    storage = {d["name"] for d in catalog["Storage"]} | {d["alias"] for d in catalog["Storage"] if d["alias"]}
    network = {d["name"] for d in catalog["Network"]} | {d["alias"] for d in catalog["Network"] if d["alias"]}
    assert set(l3._VIRTIO_BLK) <= storage
    assert set(l3._NOT_VIRTIO_BLK) - {"virtio-net-pci"} <= storage and "virtio-net-pci" in network
    assert set(l3._EMULATED_CONTROLLERS) <= storage


@pytest.mark.parametrize("name, message, hint", [
    ("virtio-scsi-pci", "paravirtual SCSI controller: disks (scsi-hd) hang off it", "card that disks plug into"),
    ("virtio-scsi", "paravirtual SCSI controller", "card that disks plug into"),
    ("virtio-scsi-pci-transitional", "paravirtual SCSI controller", "card that disks plug into"),
    ("ide-hd", "emulated IDE disk on an emulated IDE controller", "register by register"),
    ("scsi-hd", "emulated SCSI disk", "register by register"),
    ("nvme", "emulates a real NVMe controller", "register by register"),
    ("piix3-ide", "emulates the IDE controller of the i440fx PC: disks plug into it", "card that disks plug into"),
    ("ahci", "emulates the SATA (AHCI) controller of the q35 PC", "card that disks plug into"),
    ("lsi53c895a", "emulates an LSI SCSI controller", "card that disks plug into"),
    ("virtio-blk-device", "virtio-bus (virtio-mmio", "PCI bus"),
    ("vhost-user-blk-pci", "another process serves it over a vhost-user socket", "shared memory rings"),
    ("virtio-9p-pci", "shares a host directory as a file system", "block device"),
    ("ide-cd", "CD-ROM", "block device"),
    ("usb-storage", "USB stick", "register by register"),
    ("virtio-net-pci", "the paravirtual network card lesson 3 shows", "another category"),
    ("e1000", "'e1000' is not a storage device of this QEMU", "Storage devices"),
])  # fmt: skip
def test_virtio_blk_mistakes_each_have_their_diagnosis_then_the_ladder(catalog, name, message, hint):
    first, second, answer = climb(l3.check_virtio_blk, name, catalog)
    assert message in first.message and hint in first.hint
    assert "catalog['Storage']" in second.hint
    assert "virtio-blk" not in first.hint + second.hint  # no rung names the answer
    assert 'virtio_disk = "virtio-blk-pci"' in answer


@pytest.mark.parametrize("name, words", [("qume-blk", "qemu"), ("TODO", "catalog['Storage']"), ("", "paravirtual")])
def test_virtio_blk_typo_and_blank(catalog, name, words):
    with pytest.raises(ExerciseFailed) as info:
        l3.check_virtio_blk(name, catalog)
    assert words in info.value.hint
    assert "virtio-blk" not in info.value.hint


def test_virtio_blk_without_qemu_still_checks_the_name():
    assert l3.check_virtio_blk("virtio-blk-pci")
    for wrong in ("virtio-scsi-pci", "ide-hd", "virtio-net-pci"):
        with pytest.raises(ExerciseFailed):
            l3.check_virtio_blk(wrong)


# --- exercise 3.3: predict, then look ----------------------------------------------------------------

@pytest.mark.skipif(not KVM_WORKS, reason="/dev/kvm does not open here (or QEMU is missing)")
def test_the_rule_is_what_a_real_kvm_qemu_shows():
    for smp in (1, 2, 3):
        seen = l3.observe_vcpus(smp)
        assert seen.measured and (seen.threads, seen.kvm_files) == l3._rule(smp)


@pytest.mark.skipif(not HAS_QEMU, reason="qemu-system-x86_64 is not installed")
def test_tcg_holds_no_kvm_file_and_names_its_threads_so():
    with hardware.PausedQemu("tcg", smp=2) as q:
        assert [t for t in q.threads() if t.startswith("CPU ")] == ["CPU 0/TCG", "CPU 1/TCG"]
        assert q.kvm_files() == []


def test_paused_qemu_refuses_a_bad_smp():
    from kvmlab.errors import InvalidInput

    for bad in (0, "2", True, 65):
        with pytest.raises(InvalidInput) as info:
            hardware.PausedQemu("tcg", smp=bad)
        assert "smp=2" in info.value.hint


def test_the_right_prediction_passes_and_says_how_it_was_checked():
    done = l3.check_vcpu_prediction(THREADS, FILES)
    assert done.details[0].startswith("measured: a paused QEMU -accel kvm -smp 2" if KVM_WORKS else "not measured: ")
    assert done.details[0].endswith(f"threads {THREADS}, KVM files {FILES}")
    # the short names of ls -l /proc/PID/fd, in any order, are the same prediction
    assert l3.check_vcpu_prediction(THREADS[::-1], ["kvm-vm", "kvm-vcpu:1", "kvm-vcpu:0", "/dev/kvm"])
    assert l3.check_vcpu_prediction(["CPU 0/KVM"], FILES[:2] + FILES[3:], smp=1)


@pytest.mark.parametrize("threads, files, words", [
    (["CPU 0/TCG", "CPU 1/TCG"], FILES, "a QEMU running TCG; this one runs -accel kvm"),
    (["CPU 0/KVM"], FILES, "1 vCPU thread, but -smp 2 gives the guest 2 virtual CPUs"),
    (THREADS + ["CPU 2/KVM"], FILES, "3 vCPU threads"),
    (["CPU 1/KVM", "CPU 2/KVM"], FILES, "numbers a machine's vCPUs from 0"),
    (["CPU 0/KVM", "CPU 0/KVM"], FILES, "appears twice"),
    (["CPU 0/KVM", "IO mon_iothread"], FILES, "the monitor's I/O thread (QMP), and runs no guest code"),
    (["qemu-system-x86"], FILES, "the main loop"),
    (THREADS, [], "no KVM file descriptor at all: that is a QEMU running TCG"),
    (THREADS, ["/dev/kvm"], "no 'anon_inode:kvm-vm'"),
    (THREADS, ["/dev/kvm", "kvm-vcpu:0", "kvm-vcpu:1", "kvm-vm:0", "kvm-vm:1"], "2 VM file descriptors"),
    (THREADS, FILES[1:], "'/dev/kvm' is missing"),
    (THREADS, FILES[:2] + FILES[3:], "1 vCPU file descriptor for 2 vCPUs"),
    (THREADS, ["/dev/kvm", "kvm-vcpu:1", "kvm-vcpu:2", "kvm-vm"], "KVM numbers a VM's vCPUs from 0"),
    (THREADS, FILES + ["/dev/net/tun"], "'/dev/net/tun' is not a KVM file descriptor"),
])  # fmt: skip
def test_each_wrong_prediction_gets_its_diagnosis(threads, files, words):
    with pytest.raises(ExerciseFailed) as info:
        l3.check_vcpu_prediction(threads, files)
    assert words in info.value.message


def test_the_ladder_of_a_prediction():
    first, second, answer = climb(l3.check_vcpu_prediction, ["CPU 0/KVM"], FILES)
    assert first.hint == l3._THREADS_CONCEPT and "-smp" in second.hint
    assert "CPU 1/KVM" not in first.hint + second.hint
    assert f"vcpu_threads = {THREADS}" in answer and f"kvm_files = {FILES}" in answer
    first, second, _ = climb(l3.check_vcpu_prediction, THREADS, ["/dev/kvm", "kvm-vcpu:0", "kvm-vm"])
    assert first.hint == l3._FILES_CONCEPT and "'KVM file descriptors:'" in second.hint


@pytest.mark.parametrize("threads, files, words", [
    (["TODO"], ["TODO"], "vcpu_threads: no answer yet"),
    ([], FILES, "vcpu_threads: no answer yet"),
    (THREADS, ["TODO"], "kvm_files: no answer yet"),
    ("CPU 0/KVM", FILES, "vcpu_threads should be a list of names, not str"),
    (THREADS, None, "kvm_files should be a list of names, not NoneType"),
])  # fmt: skip
def test_blanks_and_wrong_types(threads, files, words):
    with pytest.raises(ExerciseFailed) as info:
        l3.check_vcpu_prediction(threads, files)
    assert info.value.message == words


def test_each_answer_solves_its_exercise(catalog):
    from kvmlab.exercises import show_answer

    scope = {"catalog": catalog}
    for number in ("3.1", "3.2", "3.3"):
        exec(show_answer(number).code, scope)
    assert l3.check_roles(scope["roles"]) and l3.check_virtio_blk(scope["virtio_disk"], catalog)
    assert l3.check_vcpu_prediction(scope["vcpu_threads"], scope["kvm_files"])
