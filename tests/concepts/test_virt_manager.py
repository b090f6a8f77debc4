"""kvmlab.concepts.virt_manager: virt-manager really runs under Xvfb and its windows come back as PNGs;
without it (or when it fails or hangs) the answer is a clear note, never a traceback or a hang.

The programs are real: Debian's virt-manager and Xvfb (./kvmlab.sh installs both). The failure
tests put a small program of their own named ``virt-manager`` first on PATH.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import kvmlab
from kvmlab.concepts import virt_manager

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def _require_virt_manager() -> None:
    lack = virt_manager.missing()
    assert not lack, f"the README's set-up (./kvmlab.sh) installs virt-manager and Xvfb: {lack}"


def _left_behind() -> list[str]:
    """Processes this test started and did not end: a child of ours named Xvfb, virt-manager or
    sleep (even a zombie), or anything whose command line names a screenshot's work directory."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            comm = (proc / "comm").read_text().strip()
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if (ppid == os.getpid() and comm in ("Xvfb", "virt-manager", "sleep")) or b"kvmlab-virt-manager-" in cmd:
            found.append(f"{proc.name} {comm}")
    return found


def _colours(png: bytes) -> int:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    return len(img.getcolors(maxcolors=1 << 20) or [])


def test_virt_manager_draws_the_main_window_and_the_details_of_the_embedded_lab(conn):
    _require_virt_manager()
    conn.suspend("web01")  # virt-manager must see this, so it opens a node file of the lab now
    start = time.monotonic()
    shots = virt_manager.screenshots(conn, "web01", progress=None)
    took = time.monotonic() - start
    assert shots.ok, shots.note
    assert [s.title for s in shots] == ["main window", "details of web01"]
    assert shots.uri.startswith("test:///") and shots.uri.endswith("/embedded-host.xml")
    assert shots.uri != conn.uri and not Path(shots.uri[len("test://"):]).exists()  # a copy, removed after
    for shot in shots:
        assert shot.png.startswith(PNG) and shot._repr_png_() == shot.png
        w, h = shot.size
        assert w >= 400 and h >= 400, shot.size  # a window, not a blank screen or a sliver
        assert _colours(shot.png) > 50  # text, icons and widgets, not one flat colour
    assert shots.shots[0].png != shots.shots[1].png
    assert "--show-domain-editor web01" in shots.shots[1].command
    assert took < 20, f"{took:.1f} s"
    assert _left_behind() == []  # Xvfb and virt-manager are gone


def test_show_prints_each_caption_with_the_uri_then_displays_the_picture(conn, capsys, monkeypatch):
    _require_virt_manager()
    shown = []
    monkeypatch.setattr(virt_manager, "_display", shown.append)
    shots = virt_manager.screenshots(conn, "db01")
    shots.show()
    out = capsys.readouterr().out
    assert "main window: drawn" in out and "details of db01: drawn" in out
    assert f"virt-manager's main window, connected to {shots.uri}:" in out
    assert shown == list(shots.shots)


def test_without_virt_manager_the_answer_is_a_note_with_the_install_command(conn, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no virt-manager, no Xvfb
    shots = virt_manager.screenshots(conn, "web01", progress=None)
    assert not shots.ok and shots.shots == ()
    assert "virt-manager and Xvfb are not installed here" in shots.note
    assert "apt-get install virt-manager xvfb" in shots.note
    assert "GUI peer of virsh" in shots.note
    assert "note: virt-manager and Xvfb are not installed" in str(shots)


def _fake_virt_manager(tmp_path: Path, body: str, monkeypatch) -> None:
    """A program named virt-manager first on PATH (the real Xvfb stays reachable)."""
    assert shutil.which("Xvfb"), "the README's set-up (./kvmlab.sh) installs xvfb"
    prog = tmp_path / "virt-manager"
    prog.write_text(f"#!/bin/sh\n{body}\n")
    prog.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")


def test_a_virt_manager_that_exits_gives_a_note_with_its_own_words(conn, tmp_path, monkeypatch):
    _fake_virt_manager(tmp_path, "echo 'cannot open display: broken on purpose' >&2; exit 3", monkeypatch)
    shots = virt_manager.screenshots(conn, "web01", progress=None)
    assert shots.shots == ()
    assert "virt-manager exited (status 3) before it drew a window" in shots.note
    assert "broken on purpose" in shots.note  # the end of its log says why


def test_a_virt_manager_that_never_draws_is_stopped_at_the_timeout(conn, tmp_path, monkeypatch):
    _fake_virt_manager(tmp_path, "exec sleep 300", monkeypatch)
    start = time.monotonic()
    shots = virt_manager.screenshots(conn, "web01", timeout=2, progress=None)
    assert time.monotonic() - start < 120  # not the program's 300 s: the 2 s timeout ended it
    assert shots.shots == () and "drew nothing in time" in shots.note
    assert _left_behind() == []  # the program and Xvfb were ended, and reaped


def test_an_unknown_domain_is_refused_before_anything_starts(conn):
    with pytest.raises(kvmlab.NotFound) as err:
        virt_manager.screenshots(conn, "no-such-vm", progress=None)
    assert err.value.virsh_error == ["failed to get domain 'no-such-vm'"]


def test_lesson1s_virt_manager_cell_produces_two_images():
    """The lesson's own cells, run in a kernel: the connection, then the virt-manager cell."""
    _require_virt_manager()
    lesson = nbformat.read(ROOT / "notebooks" / "01-tools.ipynb", as_version=4)
    setup = lesson.cells[1]
    cell = next(c for c in lesson.cells if c.cell_type == "code" and "virt_manager.screenshots" in c.source)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup.source), nbformat.v4.new_code_cell(cell.source)])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    images = [o for o in nb.cells[1].outputs if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) == 2, nb.cells[1].outputs
    import base64

    for image in images:
        assert base64.b64decode(image.data["image/png"]).startswith(PNG)
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs if o.output_type == "stream")
    assert "virt-manager's details of web01, connected to test:///" in text


def test_with_xvfb_alone_the_note_names_only_virt_manager(conn, tmp_path, monkeypatch):
    xvfb = shutil.which("Xvfb")
    assert xvfb, "the README's set-up (./kvmlab.sh) installs xvfb"
    (tmp_path / "Xvfb").symlink_to(xvfb)
    monkeypatch.setenv("PATH", str(tmp_path))
    note = virt_manager.screenshots(conn, "web01", progress=None).note
    assert note.startswith("virt-manager is not installed here, so no screenshot: apt-get install virt-manager xvfb")
