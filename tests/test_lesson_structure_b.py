"""Lessons 4-7 state their aims, link the glossary, check understanding, and keep the facts issue 10 fixed.

Structure: each lesson opens (in the markdown before its first code cell) with "What you will be able to
do" and 3-5 bullets, links ``00-glossary.ipynb``, and has a "Predict, then run" question right before a
code cell whose stored output answers it, with the answer in the markdown right after that cell.

Facts: lesson 5 names vhost-net (libvirt's default for virtio NICs under KVM) and says what the embedded
lab simulates; lesson 6 gives the RHEL family's qemu-kvm (``/usr/libexec/qemu-kvm``, dnf) beside Debian's,
and reads 设置驱动 as the disk (驱动器); lesson 7 and DomainSpec no longer call ``<currentMemory>`` the RAM
the guest boots with (formatdomain: ``<memory>`` is the maximum at boot, ``<currentMemory>`` the balloon's).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["04-network-modes", "05-virtual-bridges", "06-qemu-kvm-flags", "07-domain-xml"]


def _cells(lesson: str) -> list[dict]:
    return json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text(encoding="utf-8"))["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _markdown(lesson: str) -> str:
    return "\n".join(_text(c) for c in _cells(lesson) if c["cell_type"] == "markdown")


def _opening(lesson: str) -> str:
    """The markdown before the lesson's first code cell."""
    cells = _cells(lesson)
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    return "\n".join(_text(c) for c in cells[:first_code] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_lesson_opens_with_three_to_five_objectives(lesson):
    opening = _opening(lesson)
    assert opening.startswith("# Lesson "), "the title comes first"
    head, sep, rest = opening.partition("**What you will be able to do**")
    assert sep, f"{lesson}: no 'What you will be able to do' before the first code cell"
    assert head.count("\n#") == 0 and len(head.splitlines()) <= 2, "the objectives come right after the title"
    bullets = []
    for line in rest.lstrip("\n").splitlines():
        if line.startswith(("- ", "* ")):
            bullets.append(line)
        elif line.startswith("  ") and bullets:
            continue  # a bullet's continuation line
        else:
            break
    assert 3 <= len(bullets) <= 5, f"{lesson}: {len(bullets)} objectives"


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_lesson_links_the_glossary(lesson):
    assert re.search(r"\]\(00-glossary\.ipynb\)", _opening(lesson)), f"{lesson}: no relative link to the glossary"


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_predict_then_run_check_precedes_a_cell_whose_output_answers_it(lesson):
    cells = _cells(lesson)
    checks = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "**Predict, then run.**" in _text(c)]
    assert checks, f"{lesson}: no 'Predict, then run' question"
    for i in checks:
        run, after = cells[i + 1], cells[i + 2]
        assert run["cell_type"] == "code" and run["outputs"], "the question stands right before a run cell"
        assert after["cell_type"] == "markdown" and _text(after).startswith("**Answer.**"), \
            "the answer is explained right after the cell"


# --- lesson 5: vhost-net, and what the embedded lab simulates -------------------------------------------

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


# --- lesson 6: qemu-kvm on the RHEL family; 驱动 is a driver -------------------------------------------

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


# --- lesson 7: the guest boots with <memory>; <currentMemory> is the balloon target ---------------------

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
