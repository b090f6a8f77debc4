"""Lesson 17's toolkit with bad input: a KvmlabError that says what was expected (never a bare TypeError,
UnicodeError or OSError from deep inside), and nothing written or run."""

from __future__ import annotations

import dataclasses

import pytest

import kvmlab
from kvmlab import InvalidInput
from kvmlab.concepts import install_lab, nocloud, virt_install, xml_compare

FF = b"a\xffb".decode("utf-8", "surrogateescape")  # argv bytes that are not UTF-8, as Python holds them
GOOD = nocloud.default_seed()

SEEDS = [
    ("user-data as bytes", dataclasses.replace(GOOD, user_data=b"#cloud-config\n"), "must be text"),
    ("meta-data as a dict", dataclasses.replace(GOOD, meta_data={"instance-id": "i"}), "must be text"),
    ("network-config as a list", dataclasses.replace(GOOD, network_config=["version: 2"]), "must be text"),
    ("undecodable user-data", dataclasses.replace(GOOD, user_data="#cloud-config\n" + FF), "not UTF-8"),
    ("a NUL in meta-data", dataclasses.replace(GOOD, meta_data="instance-id: a\0b\n"), "NUL character"),
    ("a label as an int", dataclasses.replace(GOOD, label=7), "must be text"),
    ("a label with a NUL", dataclasses.replace(GOOD, label="ci\0data"), "NUL character"),
    ("a label with a space", dataclasses.replace(GOOD, label="ci data"), "invalid volume label"),
]


@pytest.mark.parametrize("seed, words", [(s, w) for _, s, w in SEEDS], ids=[n for n, _, _ in SEEDS])
def test_bad_seeds_are_refused_and_nothing_is_written(tmp_path, seed, words):
    with pytest.raises(InvalidInput) as info:
        nocloud.build_seed(seed, tmp_path / "seed.iso")
    assert words in info.value.message and info.value.hint
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", [None, 3, b"/tmp/x.iso", "a\0b", ""])
def test_bad_paths(tmp_path, path):
    with pytest.raises(InvalidInput):
        nocloud.build_seed(GOOD, path)
    with pytest.raises(InvalidInput):
        nocloud.read_seed(path)


@pytest.mark.parametrize("argv", [None, 3, [1, 2], ["virt-install", None], ["virt-install", "a\0b"],
                                  "virt-install --name 'x", ["virsh", "list"], []])
def test_bad_virt_install_lines(argv):
    conn = kvmlab.connect()
    with pytest.raises(InvalidInput):
        virt_install.print_xml(conn, argv)
    if argv not in (["virsh", "list"], []):
        with pytest.raises(InvalidInput):
            virt_install.install_method(argv)


@pytest.mark.parametrize("left", [None, b"<domain/>", 3, "<domain", "<pool/>"])
def test_bad_xml_to_compare(left):
    with pytest.raises(InvalidInput):
        xml_compare.compare(left, "<domain/>")


@pytest.mark.parametrize("argv", [None, "kvmlab xml domain", ["kvmlab", "xml", 3], ["kvmlab", "xml", "a\0b"]])
def test_bad_kvmlab_xml_lines(argv):
    with pytest.raises(InvalidInput):
        xml_compare.kvmlab_xml(argv)


@pytest.mark.parametrize("name", [None, 3, "web01", "kvmlab-a b", "kvmlab-" + FF])
def test_bad_lab_names_change_nothing(name):
    conn = kvmlab.connect()
    before = str(conn.list(all=True))
    with pytest.raises(InvalidInput):
        install_lab.install_lab(conn, name, progress=None)
    assert str(conn.list(all=True)) == before
