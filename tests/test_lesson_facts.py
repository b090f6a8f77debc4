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


# --- review r1 of lessons 0-5 (F1-F15, T4-T10): each test names the source the text follows -----------

def _glossary_row(english: str) -> tuple:
    source = _text(next(c for c in _cells("00-glossary") if "TERMS = [" in _text(c)))
    terms = ast.literal_eval(source.split("TERMS = ", 1)[1])
    return next(t for t in terms if t[0] == english)


def test_glossary_kernel_panic_ept_and_virtual_network_rows():
    # kernel/panic.c: an oops kills the task and goes on unless panic_on_oops or it cannot be contained
    assert "a fault it cannot contain" in _glossary_row("kernel panic")[2]
    assert "oops" in _glossary_row("kernel panic")[2]
    # Intel SDM 3C "EPT": the tables live in memory (KVM builds them) and the CPU walks them
    ept = _glossary_row("EPT / NPT")[2]
    assert "kept in host memory by KVM and walked by the CPU" in ept and "page tables in the CPU" not in ept
    # only nat mode gets NAT rules (lesson 4's table)
    assert "NAT only in nat mode" in _glossary_row("virtual network")[2]


def test_lesson1_quotes_the_kernel_log_of_linux_6_1_and_the_others():
    # arch/x86/kvm/x86.c: "kvm: disabled by bios" before 5.16, "support for '%s' disabled by bios" 5.16-6.2,
    # vmx.c "VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU %d" since 6.3
    md = _markdown("01-tools")
    assert "`kvm: support for 'kvm_intel' disabled by bios`" in md
    assert "before 5.16 `kvm: disabled by bios`" in md
    assert "`kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU 0`" in md
    assert "the first word of each line tells you where to look" not in md


def test_lesson1_doctor_reads_no_vmx_beside_a_working_dev_kvm():
    stored = json.dumps([o for c in _cells("01-tools") for o in c.get("outputs", [])])
    assert "no vmx/svm: TCG only" not in stored
    assert "yet /dev/kvm exists: it comes from kvm_pvm (PVM)" in stored  # recorded on the course's PVM host


def test_lesson2_kernel_crash_is_an_oops_or_a_panic():
    opening, md = _opening("02-user-kernel-mode"), _markdown("02-user-kernel-mode")
    assert "leaves the whole machine\n  suspect and often stops it (a kernel panic)" in opening
    assert "privileged instructions fault" in opening and "cannot be reached at all" in opening
    assert "an oops at best (the kernel can no longer be trusted), a panic that stops the machine at worst" in md
    assert "| stops the machine (panic) |" not in md


def test_lesson2_calls_the_dev_zero_loop_syscall_heavy_not_io_bound():
    md = _markdown("02-user-kernel-mode")
    assert "a syscall-heavy loop reads 1 MiB" in md and "an I/O-bound loop" not in md
    stored = json.dumps([o for c in _cells("02-user-kernel-mode") for o in c.get("outputs", [])])
    assert "syscall-heavy loop runs mostly in kernel mode: True" in stored
    assert "<panic model='isa'/>" in stored and "keeps showing 'running'" in stored  # T6: needs a panic device


def test_lesson3_says_qemu_names_threads_only_with_debug_threads():
    # qemu-system(1) -name: "Naming of individual threads can also be enabled on Linux to aid debugging"
    md = _markdown("03-hardware-virtualization")
    assert "-name kvmlab-demo,debug-threads=on" in md and "`qemu-system-x86`" in md
    assert "which KVM keeps in host memory and the CPU walks by itself" in md


def test_lesson4_has_five_course_modes_of_eight_and_a_default_that_debian_leaves_stopped():
    # network.rng (libvirt 9.0): nat route open bridge passthrough private vepa hostdev; isolated = no <forward>
    opening, md = _opening("04-network-modes"), _markdown("04-network-modes")
    assert "(nat, route, open, bridge, and isolated = no `<forward>`)" in opening
    assert "## Five modes" in md and "## The five modes" not in md
    assert all(f"`{m}`" in md for m in ("private", "vepa", "passthrough", "hostdev"))
    # Debian's README.Debian: "This network is not automatically started"; Fedora's spec links autostart
    assert "`libvirt-daemon-config-network`" in md and "Debian 12 defines it but leaves it stopped" in md
    assert "the network every libvirt host starts with" not in md


def test_lesson4_says_which_backend_printed_default_and_which_firewall_writes_rules():
    md = _markdown("04-network-modes")
    assert "Here is `default` as the embedded lab (libvirt's test driver) holds it." in md
    assert "<nat><port start='1024' end='65535'/></nat>" in md and "`connections='N'`" in md  # formatnetwork
    assert "libvirt ≥ 10.4 can write nftables rules instead: `firewall_backend`" in md
    assert "a dnsmasq process and iptables rules" not in md


def test_lesson4_quick_check_asks_what_the_table_does_not_say():
    md = _markdown("04-network-modes")
    assert "wants to open an SSH connection to a guest" in md and "**Answer.** Only `host-bridge`" in md


def test_lesson5_vhost_request_is_ignored_under_tcg_and_flooding_skips_the_ingress_port():
    # qemu_interface.c qemuInterfaceOpenVhostNet: returns at once unless virtType == KVM
    opening = _opening("05-virtual-bridges")
    assert "a `type='qemu'` guest ignores the request" in opening
    assert "(the guest then fails to start if the kernel\ncannot provide it)" not in opening
    assert "out of every port except the one it came in on" in opening  # br_forward.c should_deliver()
    md = _markdown("05-virtual-bridges")
    assert "build has no `<interface>` at all" in md and "No active guest (running or paused), no tap." in md


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


# -- review r2 (lessons 6-10): each fact below was checked against libvirt's/QEMU's source or man page ----------


def _flat(text: str) -> str:
    """Markdown with its line breaks folded, so a phrase may wrap."""
    return re.sub(r"\s+", " ", text)


def _outputs(lesson: str, code_start: str) -> str:
    cell = next(c for c in _cells(lesson) if c["cell_type"] == "code" and _text(c).startswith(code_start))
    return "".join("".join(o.get("text", "")) for o in cell["outputs"])


_AUTOSTART_WRONG = re.compile(r"(whenever|when|every|next) libvirtd start", re.IGNORECASE)


def test_autostart_acts_once_per_host_boot_not_at_every_daemon_start():
    """virDriverShouldAutostart (src/libvirt.c): a marker file in the driver's run directory, which does not
    survive a reboot, makes autostart happen once per boot; networkStateInitialize and storageStateInitialize
    call it. man virsh: net-autostart / pool-autostart start the object "at boot"."""
    lesson9, lesson10 = _flat(_markdown("09-managing-networks")), _flat(_markdown("10-storage-pools"))
    assert "Autostart means *start this network when the host boots*" in lesson9
    assert "/run/libvirt/network/autostarted" in lesson9 and "the mark acts at the next host boot" in lesson9
    assert "Autostart means *start this pool when the host boots*" in lesson10
    assert "/run/libvirt/storage/autostarted" in lesson10
    texts = {name: (ROOT / name).read_text(encoding="utf-8") for name in (
        "notebooks/09-managing-networks.ipynb", "notebooks/10-storage-pools.ipynb", "notebooks/00-glossary.ipynb",
        "kvmlab/ops/network.py", "kvmlab/ops/pool_lifecycle.py", "kvmlab/widgets/network_dashboard.py",
        "kvmlab/widgets/pool_dashboard.py")}  # fmt: skip
    assert not [name for name, text in texts.items() if _AUTOSTART_WRONG.search(text)]
    import libvirt  # noqa: F401  (loads libvirt.so, whose virDriverShouldAutostart names the marker file)

    maps = Path("/proc/self/maps").read_text().split()
    library = next(w for w in maps if re.search(r"/libvirt\.so[.\d]*$", w))
    assert b"%s/autostarted" in Path(library).read_bytes()


def test_lesson9_says_which_driver_words_the_second_net_start():
    """The test driver says "Network 'lab' is already running"; the network driver's networkStartNetwork
    says "network is already active" (src/network/bridge_driver.c)."""
    md = _flat(_markdown("09-managing-networks"))
    assert "`Requested operation is not valid: network is already active`" in md
    assert "The embedded lab's test driver words it as below" in md
    assert "Network 'lab' is already running" in _outputs("09-managing-networks", 'try:\n    conn.net_start("lab")')
    assert "A real host (`qemu:///system`) also adds the bridge's `<mac address='52:54:00:…'/>`" in md


def test_lesson10_gives_the_storage_drivers_own_words():
    """storagePoolBuild / storagePoolUndefine / storagePoolListAllVolumes (src/storage/storage_driver.c)."""
    md = _flat(_markdown("10-storage-pools"))
    for real in ("`storage pool 'default' is already active`", "`storage pool 'lab' is still active`",
                 "`storage pool 'lab' is not active`"):
        assert real in md, real
    assert "storage pool 'default' is active" in _outputs("10-storage-pools", "try:\n    conn.pool_build(main_pool)")
    assert "`storage pool 'lab' is not active`" in _flat(_markdown("10-storage-volumes"))
    assert "`disk` and `logical` by default" in md, "pool-build writes to disk/logical devices without a flag"
    assert "checks that the devices hold no label or file system (skipped with `--overwrite`)" in md


def test_lesson10b_allocation_and_decimal_gigabytes():
    """virStorageBackendCreateQemuImgCmdFromVol: .preallocate = VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA;
    storageBackendCreateQemuImgOpts: metadata below the capacity, falloc otherwise; no <allocation> means
    the capacity (virStorageVolDefParseXML)."""
    md = _flat(_markdown("10-storage-volumes"))
    assert "For qcow2, `--allocation` alone changes nothing" in md
    assert "preallocation=metadata" in md and "`preallocation=falloc`" in md
    assert "`--allocation` reserves space up front" not in md
    assert "`10GB` is 10 × 10⁹ bytes = 9.31 GiB" in md and "10⁹ bytes each" not in md


def test_lesson8_names_every_dominfo_value_the_test_driver_invents(conn):
    """testDomainGetOSType returns "linux"; qemuDomainGetOSType the XML's <type> (hvm); the test driver's
    cpuTime is g_get_real_time() * 1000 (microseconds to nanoseconds)."""
    md = _flat(_markdown("08-managing-vms"))
    assert "`OS Type: linux` is hard-coded (`testDomainGetOSType`)" in md and "`OS Type: hvm`" in md
    assert "`Security model: testSecurity`" in md and "`Security label: libvirt-test (enforcing)`" in md
    assert "`g_get_real_time() * 1000`" in md and "microseconds" in md
    info = conn.dominfo("web01")
    assert info.os_type == "linux" and info.security_model == "testSecurity"
    assert "<type arch='x86_64'>hvm</type>" in conn.dumpxml("web01").xml


def test_lesson8_shutdown_undefine_and_create_are_said_precisely():
    """qemuDomainShutdownFlags prefers the guest agent; man virsh undefine: --remove-all-storage removes only
    pool volumes of an inactive domain, nvram/snapshots/managed-save need their flags."""
    md = _flat(_markdown("08-managing-vms"))
    assert "through the QEMU guest agent if the VM has one, otherwise with the ACPI power button" in md
    assert "only volumes inside a libvirt storage pool" in md and "`--nvram`" in md and "`--managed-save`" in md
    assert "`create` starts a **transient** VM straight from XML (no definition is kept)" in md
    assert "never the disks, never a running VM" not in md
    assert "`create` = define + start" not in md


def test_lesson6_memory_slips_and_libvirts_command_line():
    """QEMU 7.2: -m 1048576 parses and fails to allocate; -m takes b k M G T P E in either case; -smp 0 only
    warns (tests/concepts/test_qemuflags.py runs QEMU for each). libvirt 9.0's argv: -boot strict=on with
    bootindex, a virtio balloon; QEMU 8.0 deprecated -no-acpi for -machine acpi=off."""
    md = _flat(_markdown("06-qemu-kvm-flags"))
    assert "without any error" not in md
    assert "cannot set up guest memory 'ram': Cannot allocate memory" in md
    assert "`b` (bytes), `k`, `M`, `G`, `T`, `P`, `E`" in md and "single letters `k M G T`" not in md
    assert "The `-smp 0` refusal above is kvmlab's, not QEMU's" in md
    assert "`-boot strict=on`" in md and '`"bootindex":1`' in md and "`-device virtio-balloon-pci`" in md
    assert "`-machine …,acpi=off`" in md
    assert "OS Type" not in _outputs("06-qemu-kvm-flags", "qb.define_button.click()"), "dominfo waits for lesson 8"


def test_lesson7_machine_type_and_what_libvirt_filled_in(conn):
    """The QEMU driver fills machine= with QEMU's default machine (pc, i440fx) expanded; the XML kvmlab gave
    the test driver for installer lacks what `dumpxml` then shows."""
    md = _flat(_markdown("07-domain-xml"))
    assert "`pc-i440fx-7.2`" in md and "the newest PC type" not in md
    assert "the XML kvmlab gave the test driver for `installer` (in `kvmlab/data/embedded-host.xml`)" in md
    from lxml import etree

    given = etree.parse(str(ROOT / "kvmlab" / "data" / "embedded-host.xml")).find("domain[name='installer']")
    held = etree.fromstring(conn.dumpxml("installer", inactive=True).xml.encode())
    for tag in ("clock", "on_poweroff", "devices/controller", "devices/disk/address"):
        assert given.find(tag) is None and held.find(tag) is not None, tag


def test_lesson_outputs_name_no_checkout_directory():
    """CI runs from a fresh clone elsewhere: no stored output of lessons 6-10 names this checkout."""
    for lesson in ("06-qemu-kvm-flags", "07-domain-xml", "08-managing-vms", "09-managing-networks",
                   "10-storage-pools", "10-storage-volumes"):
        text = (ROOT / "notebooks" / f"{lesson}.ipynb").read_text(encoding="utf-8")
        assert "test:///" not in text and str(ROOT) not in text, lesson
