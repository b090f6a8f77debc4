"""Lesson 3 checks: roles and spelling, the virtio NIC against QEMU's catalogue, the vCPU thread."""

from __future__ import annotations

import pytest

from kvmlab.concepts import hardware
from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson03 as l3

RIGHT = {"cpu": "KVM", "memory": "KVM", "io": "QEMU", "management": "libvirt"}
HAS_QEMU = hardware.qemu_binary() is not None


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
def test_every_wrong_role_has_its_own_hint(job, wrong):
    if RIGHT[job] == wrong:
        return
    with pytest.raises(ExerciseFailed) as info:
        l3.check_roles({**RIGHT, job: wrong})
    assert info.value.message == f"{job}: not {wrong}"
    assert info.value.hint == l3._HINTS[(job, wrong)]


def test_missing_roles():
    with pytest.raises(ExerciseFailed) as info:
        l3.check_roles({"cpu": "KVM"})
    assert info.value.message == "no answer for memory, io, management"


@pytest.fixture(scope="module")
def catalog():
    if not HAS_QEMU:
        pytest.skip("qemu-system-x86_64 is not installed")
    return hardware.device_catalog()


def test_virtio_net_passes_with_its_alias_too(catalog):
    assert "virtio-net-pci" in l3.check_virtio_net("virtio-net-pci", catalog).title
    assert "alias" in l3.check_virtio_net("virtio-net", catalog).details[0]


@pytest.mark.parametrize("name, words", [
    ("e1000", "emulates a real Intel card"),
    ("rtl8139", "real Realtek card"),
    ("virtio-net-device", "-pci"),
    ("virtio-blk-pci", "Network devices"),
    ("qume-net", "qemu"),
    ("TODO", "virtio"),
])
def test_virtio_net_mistakes(catalog, name, words):
    with pytest.raises(ExerciseFailed) as info:
        l3.check_virtio_net(name, catalog)
    assert words in info.value.hint


def test_virtio_net_without_qemu_still_checks_the_name():
    assert l3.check_virtio_net("virtio-net-pci")
    with pytest.raises(ExerciseFailed):
        l3.check_virtio_net("e1000")


@pytest.mark.skipif(not HAS_QEMU, reason="qemu-system-x86_64 is not installed")
@pytest.mark.parametrize("accel", ["tcg", "kvm"])
def test_vcpu_thread_from_a_real_qemu(accel):
    if accel == "kvm" and not hardware.probe_kvm().opens:
        pytest.skip("/dev/kvm does not open here")
    with hardware.PausedQemu(accel) as q:
        (vcpu,) = [t for t in q.threads() if t.startswith("CPU ")]
    assert l3.check_vcpu_thread(vcpu, accel=accel).title.startswith(f"CPU 0/{accel.upper()}")


@pytest.mark.parametrize("name, accel, words", [
    ("CPU 0/TCG", "kvm", "-accel kvm"),
    ("CPU 0/KVM", "tcg", "-accel tcg"),
    ("CPU 1/KVM", "kvm", "numbered from 0"),
    ("qemu-system-x86", "kvm", "CPU <n>/<accelerator>"),
    ("", "tcg", "PausedQemu('tcg')"),
    ("TODO", "kvm", "PausedQemu('kvm')"),
])
def test_vcpu_thread_mistakes(name, accel, words):
    with pytest.raises(ExerciseFailed) as info:
        l3.check_vcpu_thread(name, accel=accel)
    assert words in info.value.hint
