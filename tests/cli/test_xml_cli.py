"""`kvmlab xml`: what it prints validates with virt-xml-validate AND defines on libvirt (virsh,
test:///default); bad values get a teaching error and exit 1; usage errors exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kvmlab.cli.xml import main

from ..specs.virsh import DEFINE, virsh, xml_validate

KVMLAB = str(Path(sys.executable).with_name("kvmlab"))

# (argv, the virsh commands that must work after defining, NAME standing for the object)
GOOD = [
    ("domain --name vm1 --memory 512MiB", "start NAME; dominfo NAME"),
    ("domain --name vm1 --memory 512MiB --vcpus 2 --boot hd,cdrom --disk /var/lib/libvirt/images/vm1.qcow2 "
     "--disk /isos/debian.iso --network default", "start NAME"),
    ("domain --name vm1 --memory 1024", "dominfo NAME"),
    ("domain --name vm1 --memory 2GiB --current-memory 1GiB --vcpus 4", "start NAME"),
    ("domain --name vm1 --memory 512MiB --virt-type qemu --arch i686", "start NAME"),
    ("domain --name vm1 --memory 512MiB --virt-type test --os-type hvm", "start NAME"),
    ("domain --name vm1 --memory 512MiB --disk /var/lib/libvirt/images/d.raw,bus=sata,format=raw "
     "--disk /dev/sdb --disk /x.img,device=cdrom,bus=scsi --boot cdrom,hd", "start NAME"),
    ("domain --name vm1 --memory 512MiB --network bridge=br0,model=e1000e,mac=52:54:00:aa:bb:cc "
     "--network network=default --boot network", "start NAME"),
    ("domain --name vm1 --memory 512MiB --uuid 4dea22b3-1d52-d8f3-2516-782e98ab3fff --machine pc", "dominfo NAME"),
    ("domain --name vm1 --memory 128MiB --virt-type test --kernel /boot/vmlinuz --initrd /boot/initrd.img "
     "--kernel-args console=ttyS0 --disk /var/lib/libvirt/images/seed.iso,readonly=on", "start NAME"),
    ("network --name lab --subnet 192.168.150.0/24", "net-start NAME; net-info NAME"),
    ("network --name lab --mode route --subnet 10.0.0.0/16 --dhcp-range 10.0.1.1,10.0.1.200", "net-start NAME"),
    ("network --name lab --mode open --subnet 192.168.151.0/24 --no-dhcp --bridge virbr51", "net-start NAME"),
    ("network --name lab --mode isolated", "net-start NAME"),
    ("network --name lab --mode isolated --subnet 172.16.5.0/24 --bridge virbr55", "net-start NAME"),
    ("network --name lab --mode bridge --bridge br0", "net-start NAME"),
    ("network --name lab --mode nat --subnet fd00:5::/64", "net-start NAME"),
    ("pool --name lab --type dir --target /var/lib/libvirt/images/lab", "pool-start NAME; pool-info NAME"),
    ("pool --name lab --type fs --source /dev/sdb1 --source-format ext4 --target /mnt/lab", "pool-start NAME"),
    ("pool --name lab --type netfs --source nfs.example.com:/export/images --target /mnt/nfs", "pool-start NAME"),
    ("pool --name lab --type logical --source vg0", "pool-start NAME"),
    ("pool --name lab --type logical --source vg0,/dev/sdb,/dev/sdc --target /dev/vg0", "pool-start NAME"),
    ("volume --name vm1.qcow2 --capacity 1GiB", "vol-info NAME --pool default-pool"),
    ("volume --name vm1.img --capacity 10G --format raw --allocation 0", "vol-info NAME --pool default-pool"),
    ("volume --name v --capacity 1073741824 --allocation 0", "vol-info NAME --pool default-pool"),
    ("volume --name v --capacity 512MiB --allocation 256MiB", "vol-info NAME --pool default-pool"),
]


def run_main(argv: str, capsys) -> tuple[int, str, str]:
    rc = main(argv.split())
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("argv,then", GOOD, ids=[g[0] for g in GOOD])
def test_printed_xml_validates_and_defines(argv, then, capsys, tmp_path):
    rc, out, err = run_main(argv, capsys)
    assert rc == 0 and err == "" and out.startswith("<")
    check = xml_validate(out, tmp_path)
    assert check.returncode == 0, check.stderr
    kind, name = argv.split()[0], argv.split()[2]
    (tmp_path / "f.xml").write_text(out)
    run = virsh(DEFINE[kind].replace("FILE", "f.xml") + "; " + then.replace("NAME", name), tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr


def test_domain_output_is_what_virt_install_would_write(capsys):
    rc, out, _ = run_main("domain --name vm1 --memory 1024 --vcpus 2 --boot hd --disk /i/vm1.qcow2 "
                          "--network default", capsys)
    assert rc == 0
    for line in ('<domain type="kvm">', '<memory unit="MiB">1024</memory>', "<vcpu>2</vcpu>",
                 '<type arch="x86_64">hvm</type>', '<boot dev="hd"/>', '<source file="/i/vm1.qcow2"/>',
                 '<target dev="vda" bus="virtio"/>', '<source network="default"/>'):
        assert line in out


def test_notes_go_to_stderr_and_xml_still_prints(capsys):
    rc, out, err = run_main("domain --name vm1 --memory 1024000KB", capsys)
    assert rc == 0 and out.startswith("<domain")
    assert err.startswith("kvmlab note: /domain/memory (line 3): unit='KB' is a power of 1000")


def test_a_zero_capacity_volume_is_a_note_because_libvirt_accepts_it(capsys):
    rc, out, err = run_main("volume --name v --capacity 0", capsys)
    assert rc == 0 and out.startswith("<volume") and "<capacity unit=\"bytes\">0</capacity>" in out
    assert err.startswith("kvmlab note: /volume/capacity (line 3): <capacity> is 0: libvirt accepts it")


# (argv, words on stderr)
BAD = [
    ("domain --name vm1 --memory abc", "--memory 'abc' is not a size"),
    ("domain --name vm1 --memory 512parsec", "has an unknown unit 'parsec'"),
    ("domain --name vm1 --memory 512KiB", "far too small to boot"),
    ("domain --name vm1 --memory 512MiB --vcpus 0", "--vcpus '0' is not a number of CPUs"),
    ("domain --name vm1 --memory 512MiB --vcpus two", "--vcpus 'two' is not a number of CPUs"),
    ("domain --name vm1 --memory 512MiB --vcpus 5000", "5000 vCPUs is unreasonable"),
    ("domain --name vm1 --memory 512MiB --vcpus 300", "runs at most 288"),
    ("domain --name vm1 --memory 512MiB --boot floppy", "--boot device 'floppy' is not one of"),
    ("domain --name vm1 --memory 512MiB --disk images/vm1.qcow2", "is not an absolute path"),
    ("domain --name vm1 --memory 512MiB --disk /x.img,color=red", "unknown setting 'color=red'"),
    ("domain --name vm1 --memory 512MiB --network teleport=x", "--network kind 'teleport' is not one of"),
    ("domain --name vm1 --memory 512MiB --virt-type xen", "--virt-type 'xen' is not one of: kvm, qemu, test"),
    ("domain --name a/b --memory 512MiB", "contains '/'"),
    ("domain --name vm1 --memory 1GiB --current-memory 2GiB", "more than <memory>"),
    ("domain --name vm1 --memory 512MiB --os-type windows", "'windows' is not allowed here"),
    ("domain --name vm1 --memory 512MiB --kernel vmlinuz", "--kernel 'vmlinuz' is not an absolute path"),
    ("domain --name vm1 --memory 512MiB --initrd /boot/initrd.img", "--initrd and --kernel-args need --kernel"),
    ("domain --name vm1 --memory 512MiB --disk /x.img,readonly=yes", "--disk readonly 'yes' is not one of"),
    ("network --name lab --mode teleport", "--mode 'teleport' is not one of"),
    ("network --name lab --mode nat", "--mode nat needs --subnet"),
    ("network --name lab --subnet 300.1.1.0/24", "is not a subnet"),
    ("network --name lab --subnet 192.168.150.1/24", "has host bits set"),
    ("network --name lab --subnet 10.0.0.0/31", "is too small"),
    ("network --name lab --subnet 10.0.0.0/24 --dhcp-range 10.0.0.5", "is not START,END"),
    ("network --name lab --subnet 10.0.0.0/24 --dhcp-range 10.0.1.5,10.0.1.9", "is not inside the subnet"),
    ("network --name lab --subnet 10.0.0.0/24 --dhcp-range 10.0.0.9,10.0.0.5", "is reversed"),
    ("network --name lab --mode bridge", "--mode bridge needs --bridge NAME"),
    ("network --name lab --mode bridge --bridge br0 --subnet 10.0.0.0/24", "takes no --subnet"),
    ("network --name lab --subnet 10.0.0.0/24 --bridge virbr-far-too-long", "at most 15"),
    ("pool --name p --type teleport --target /x", "--type 'teleport' is not one of: dir, fs, netfs, logical"),
    ("pool --name p --type dir --target /x --source /dev/sdb", "a dir pool takes no --source"),
    ("pool --name p --type fs --target /x", "a fs pool needs --source"),
    ("pool --name p --type netfs --source nfs.example --target /x", "is not HOST:/EXPORT"),
    ("pool --name p --type dir", "a dir pool needs --target PATH"),
    ("pool --name p --type dir --target images", "is not an absolute path"),
    ("volume --name v --capacity -1", "--capacity '-1' is not a size"),
    ("volume --name v --capacity 1GiB --format vmdk", "--format 'vmdk' is not one of: qcow2, raw"),
    ("volume --name v --capacity 1GiB --allocation abc", "--allocation 'abc' is not a size"),
    ("volume --name a/b --capacity 1GiB", "is not a plain file name"),
]


@pytest.mark.parametrize("argv,words", BAD, ids=[b[0] for b in BAD])
def test_bad_values_teach_and_exit_1(argv, words, capsys):
    rc, out, err = run_main(argv, capsys)
    assert rc == 1 and out == ""
    assert err.startswith("error: ") and words in err, err
    assert "\nkvmlab hint: " in err and "Traceback" not in err


@pytest.mark.parametrize("argv", ["", "domain --memory 512MiB", "domain --name x", "volume --name v",
                                  "teleport --name x", "domain --name x --memory 1G --colour red"])
def test_usage_errors_exit_2(argv, capsys):
    rc, out, err = run_main(argv, capsys)
    assert rc == 2 and out == "" and "usage: kvmlab xml" in err


def test_help_exits_0(capsys):
    rc, out, _ = run_main("domain --help", capsys)
    assert rc == 0 and "--memory" in out and "--virt-type" in out


@pytest.mark.parametrize("argv,rc", [("xml domain --name vm1 --memory 512MiB", 0),
                                     ("xml domain --name vm1 --memory abc", 1),
                                     ("xml domain --memory 1G", 2)])
def test_the_installed_command(argv, rc, tmp_path):
    p = subprocess.run([KVMLAB, *argv.split()], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert p.returncode == rc and "Traceback" not in p.stderr
    if rc == 0:
        (tmp_path / "vm1.xml").write_text(p.stdout)
        assert virsh("define vm1.xml", tmp_path).stdout == "Domain 'vm1' defined from vm1.xml\n\n"
