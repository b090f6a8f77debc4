"""Lesson 13 checks: an overlay read back with qemu-img info --backing-chain; a thin raw volume made by
the learner's virsh line and read back with vol-info / vol-dumpxml. Each classic mistake is named, and
the ladder gives the idea, then the command, and the code only from show_answer()."""

from __future__ import annotations

import pytest

from kvmlab.exercises import ExerciseFailed
from kvmlab.exercises import lesson13 as l13

from tests.conftest import inventory
from tests.exercises.conftest import climb

THIN = l13.THIN_NAME


@pytest.fixture
def ws():
    w = l13.workspace()
    yield w
    w.tidy()


def test_the_workspace_holds_a_base_with_data(ws):
    assert ws.files == ["base.qcow2"]
    assert ws.info("base.qcow2").virtual_size == 64 * 2**20 and ws.pattern_at("base.qcow2", 0, "64k", 0x5A)


def test_nothing_made_yet_does_not_climb_but_another_name_does(ws):
    for _ in range(2):  # the untouched cell: only base.qcow2 in the workspace
        with pytest.raises(ExerciseFailed) as info:
            l13.check_overlay(ws)
        assert info.value.untried and info.value.rung == 1 and "there is no web.qcow2" in info.value.message
    ws.create("web.qcow", backing="base.qcow2", backing_format="qcow2")  # an attempt, under another name
    first, second, answer = climb(l13.check_overlay, ws)
    assert "there is no web.qcow2" in first.message and "backing file" in first.hint
    assert "-b" in second.hint and "-F" in second.hint
    assert 'ws.create("web.qcow2", backing="base.qcow2", backing_format="qcow2", overwrite=True)' in answer
    assert "qemu-img create -f qcow2 -b base.qcow2 -F qcow2 web.qcow2" in answer
    for err in (first, second):
        assert 'backing="base.qcow2"' not in err.hint


def test_a_copy_is_not_an_overlay(ws):
    ws.convert("base.qcow2", "web.qcow2", "qcow2")
    first, second, _ = climb(l13.check_overlay, ws)
    assert "it is a copy" in first.message and "shares the base's blocks" in first.hint
    assert "instead of convert" in second.hint


def test_an_empty_disk_a_raw_file_and_the_wrong_base(ws):
    ws.create("web.qcow2", "64M")
    with pytest.raises(ExerciseFailed, match="a new, empty disk"):
        l13.check_overlay(ws)
    ws.create("web.qcow2", "64M", format="raw", overwrite=True)
    with pytest.raises(ExerciseFailed, match="web.qcow2 is a raw image") as info:
        l13.check_overlay(ws)
    assert "header" in info.value.concept
    ws.create("other.qcow2", "64M")
    ws.create("web.qcow2", backing="other.qcow2", backing_format="qcow2", overwrite=True)
    with pytest.raises(ExerciseFailed, match="backing file is other.qcow2, not base.qcow2"):
        l13.check_overlay(ws)


def test_the_base_read_in_the_wrong_format(ws):
    ws.create("web.qcow2", backing="base.qcow2", backing_format="raw")
    first, second, _ = climb(l13.check_overlay, ws)
    assert "reads base.qcow2 as raw, but base.qcow2 is a qcow2 file" in first.message
    assert "never guessed" in first.concept and "-F qcow2" in second.hint


def test_the_overlay_passes_and_says_what_was_read_back(ws):
    ws.create("web.qcow2", backing="base.qcow2", backing_format="qcow2")
    done = l13.check_overlay(ws)
    assert done.title == "web.qcow2 is an overlay of base.qcow2"
    assert done.details[0] == "qemu-img info --backing-chain web.qcow2: web.qcow2 (qcow2) -> base.qcow2 (qcow2)"
    assert "nothing of its own yet" in done.details[2]
    ws.write("web.qcow2", 0, "64k", pattern=0x11)  # the guest wrote: still an overlay, now with data of its own
    done = l13.check_overlay(ws)
    assert "already holds data of its own" in done.details[1] and "depths 0, 1" in done.details[2]


def test_check_overlay_wants_the_workspace():
    with pytest.raises(ExerciseFailed, match="is not the exercise's workspace"):
        l13.check_overlay("/tmp")


# --- 13.2: a thin raw volume, as a virsh line ------------------------------------------------------

def test_no_line_and_a_typo(conn):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed, match="no command yet"):
        l13.check_thin_volume(conn, "TODO")
    with pytest.raises(ExerciseFailed, match="unknown command: 'vol-crate-as'"):
        l13.check_thin_volume(conn, f"vol-crate-as default {THIN} 2G")
    with pytest.raises(ExerciseFailed, match="vol-list does not create"):
        l13.check_thin_volume(conn, "vol-list default")
    assert inventory(conn) == before


def test_gigabytes_are_caught(conn):
    first, second, answer = climb(l13.check_thin_volume, conn, f"vol-create-as default {THIN} 2GB --format raw "
                                                               "--allocation 0")
    assert "2000000000 bytes = 1.86 GiB: GB counts 10^9 bytes" in first.message and "decimal units" in first.concept
    assert "with a binary unit" in second.hint and "2G" not in first.hint + second.hint
    assert f'line = "vol-create-as default {THIN} 2G --format raw --allocation 0"' in answer


def test_qcow2_and_a_thick_volume_are_caught(conn):
    with pytest.raises(ExerciseFailed, match="is qcow2, not raw"):
        l13.check_thin_volume(conn, f"vol-create-as default {THIN} 2G --format qcow2 --allocation 0")
    first, second, _ = climb(l13.check_thin_volume, conn, f"vol-create-as default {THIN} 2G --format raw")
    assert "2147483648 bytes allocated already" in first.message and "thin provisioning" in first.concept
    assert "--allocation" in second.hint and "--allocation" not in first.concept
    assert conn.vol_info(THIN, pool="default").allocation == 2**31  # the check read the learner's volume back


def test_the_thin_volume_passes_after_earlier_tries(conn):
    conn.vol_create_as("default", THIN, "1G")  # an earlier wrong try
    done = l13.check_thin_volume(conn, f"virsh vol-create-as default {THIN} 2G --format raw --allocation 0")
    assert done.details[0] == f"an earlier try's {THIN} was deleted first"
    assert "vol-info --bytes: Capacity 2147483648 bytes, Allocation 0 bytes" in done.details
    info = conn.vol_info(THIN, pool="default")
    assert (info.capacity, info.allocation) == (2**31, 0)
    assert l13.tidy(conn) == [f"virsh vol-delete {THIN} --pool default"]


def test_the_wrong_pool_or_name_runs_nothing(conn):
    before = inventory(conn)
    with pytest.raises(ExerciseFailed, match="in pool 'iso'"):
        l13.check_thin_volume(conn, f"vol-create-as iso {THIN} 2G")
    with pytest.raises(ExerciseFailed, match="names the volume 'thin.raw'"):
        l13.check_thin_volume(conn, "vol-create-as default thin.raw 2G")
    assert inventory(conn) == before
