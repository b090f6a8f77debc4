"""The one table of libvirt's units: case-insensitive, KiB vs KB, and read exactly as real virsh reads them."""

from __future__ import annotations

import re

import pytest

from kvmlab.errors import InvalidInput
from kvmlab.ops.pool_sizes import vol_size
from kvmlab.specs import DomainSpec, VolumeSpec
from kvmlab.units import UNITS, parse_size, pretty_capacity, unit_bytes
from tests.specs.virsh import virsh

# libvirt's formatdomain "unit" list: b/bytes, then per prefix the decimal, the bare and the binary spelling
LIBVIRT_UNITS = {"b": 1, "bytes": 1, **{
    spelling: base**power
    for power, p in enumerate("KMGTPE", start=1)
    for spelling, base in ((f"{p}B", 1000), (p, 1024), (f"{p}iB", 1024))
}}


@pytest.mark.parametrize("unit,nbytes", LIBVIRT_UNITS.items())
def test_every_libvirt_unit_in_any_case(unit, nbytes):
    for spelling in {unit, unit.lower(), unit.upper(), unit.swapcase()}:
        assert UNITS[spelling] == nbytes, spelling
        assert unit_bytes(spelling) == nbytes, spelling
        assert parse_size(f"3{spelling}") == 3 * nbytes, spelling


def test_decimal_and_binary_units_differ_by_the_i():
    assert UNITS["KB"] == UNITS["kb"] == UNITS["kB"] == 1000
    assert UNITS["KiB"] == UNITS["k"] == UNITS["K"] == UNITS["KIB"] == 1024
    assert UNITS["GB"] == 10**9 and UNITS["GiB"] == UNITS["g"] == 2**30
    assert UNITS["EB"] == 10**18 and UNITS["EiB"] == 2**60
    assert UNITS["byte"] == UNITS["BYTES"] == UNITS["B"] == 1
    assert "mib" in UNITS and "MiB" in UNITS and "MiBs" not in UNITS and 5 not in UNITS


@pytest.mark.parametrize("unit", ["xb", "KiBB", "Ki", "mebibyte", "Z", "ZiB", "\u212aiB", "\uff4diB", ""])
def test_unknown_units_have_no_size(unit):
    # libvirt folds ASCII case only: the Kelvin sign and a full-width m are not k and m
    assert unit_bytes(unit) is None


@pytest.mark.parametrize("unit", ["xb", "KiBB", "Ki", "mebibyte", "Z", "ZiB"])
def test_unknown_units_are_refused_and_the_hint_lists_the_valid_ones(unit):
    with pytest.raises(InvalidInput) as e:
        parse_size(f"512{unit}", what="memory")
    assert f"unknown unit {unit!r}" in e.value.message
    for name in ("b", "bytes", "KB", "K", "KiB", "MB", "MiB", "GiB", "TiB", "PiB", "EB", "EiB"):
        assert re.search(rf"\b{name}\b", e.value.hint), name
    assert "any case" in e.value.hint and "1000" in e.value.hint and "1024" in e.value.hint
    assert f"unknown suffix '{unit}'" in e.value.hint  # what libvirt (and so virsh define) says


@pytest.mark.parametrize("text", ["512 parsecs", "1.5GiB", "-1MiB", "\uff15MiB", "MiB"])
def test_sizes_that_are_not_sizes(text):
    with pytest.raises(InvalidInput):
        parse_size(text)


def test_a_bare_number_takes_the_default_unit():
    assert parse_size("512", "KiB") == parse_size(512, "kib") == 512 * 1024
    assert parse_size("7") == 7


@pytest.mark.parametrize("nbytes,text", [
    (0, "0.00 B"), (1023, "1023.00 B"), (1536, "1.50 KiB"), (100 * 2**30, "100.00 GiB"), (2**60, "1.00 EiB"),
])
def test_virsh_capacity_text_is_unchanged(nbytes, text):
    assert pretty_capacity(nbytes) == text


def test_the_specs_accept_any_case_like_libvirt():
    vm = DomainSpec(name="u", memory="512mib", current_memory="256MIB")
    assert vm.memory == 512 * 1024 and vm.current_memory == 256 * 1024
    assert '<memory unit="mib">512</memory>' in vm.to_xml()  # kept as written, as libvirt reads it
    assert DomainSpec.from_xml(vm.to_xml()) == vm
    assert VolumeSpec(capacity="2gb").capacity == 2 * 10**9
    assert vol_size("3mib") == vol_size("3M") == 3 * 2**20 and vol_size("3Kb") == 3000


SPELLINGS = ["mib", "MIB", "Mib", "m", "kb", "Kb", "KIB", "k", "byte", "BYTES", "gb", "g", "GIB"]


@pytest.mark.parametrize("unit", SPELLINGS)
def test_memory_units_read_as_real_virsh_reads_them(unit, tmp_path):
    """libvirt's own reading (virsh define + dominfo on test:///default) equals kvmlab's."""
    vm = DomainSpec(type="test", name="units", memory=f"3{unit}")
    (tmp_path / "d.xml").write_text(vm.to_xml())
    run = virsh("define d.xml; dominfo units", tmp_path)
    assert run.returncode == 0, run.stderr
    kib = int(re.search(r"^Max memory:\s+(\d+) KiB$", run.stdout, re.M).group(1))
    assert vm.memory == kib
    assert DomainSpec.from_xml(vm.to_xml()).memory == kib


@pytest.mark.parametrize("unit", SPELLINGS)
def test_volume_sizes_read_as_real_virsh_reads_them(unit, tmp_path):
    run = virsh(f"vol-create-as default-pool v 3{unit}; vol-info v --pool default-pool --bytes", tmp_path)
    assert run.returncode == 0, run.stderr
    assert int(re.search(r"^Capacity:\s+(\d+) bytes$", run.stdout, re.M).group(1)) == vol_size(f"3{unit}")


def test_an_unknown_unit_is_refused_by_libvirt_too(tmp_path):
    (tmp_path / "d.xml").write_text("<domain type='test'><name>u</name><memory unit='xb'>3</memory>"
                                    "<os><type>hvm</type></os></domain>")
    run = virsh("define d.xml", tmp_path)
    assert "unknown suffix 'xb'" in run.stderr
    with pytest.raises(InvalidInput):
        DomainSpec(memory="3xb")


def test_pretty_capacity_picks_the_unit_as_vsh_pretty_capacity_divides():
    # the unit comes from the bit length at once; the text is that of dividing by 1024 until below it
    from kvmlab.units import pretty_capacity

    def by_division(nbytes):
        value, unit = float(nbytes), "B"
        for name in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
            if value < 1024:
                break
            value, unit = value / 1024, name
        return f"{value:.2f} {unit}"

    sizes = [0, 1, 1023, 1024, 1025, 10**30, 2**80] + [2**k + d for k in range(1, 90) for d in (-2, -1, 0, 1)]
    assert [pretty_capacity(n) for n in sizes] == [by_division(n) for n in sizes]
    assert pretty_capacity(2**60 - 1) == "1.00 EiB"  # float(2**60 - 1) is 2**60, as in C's double
