"""show_answer()'s code works after a wrong try, in the learner's own kernel.

A learner asks for the answer after failing, not on a fresh lab: a wrong definition is still defined, a
VM was destroyed, a volume of the wrong size exists. For every check of every learner notebook this test
runs the notebook top to bottom in a real kernel and, before each check cell, makes the most plausible wrong
try (:data:`WRONG`, keyed by the check cell's code); the check then fails twice, ``exec(show_answer().code)``
runs the answer shown, and the check cell must pass.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
LEARNER = sorted((ROOT / "exercises").glob("[0-9][0-9]-*.ipynb"))

_REACH = "kvmlab-reach"
# the check cell's code -> the most plausible wrong try (it replaces what the TODO cell before it set)
WRONG = {
    "lesson01.check_layers(layers)": 'layers = {"A": "virsh", "B": "libvirtd", "C": "libvirtd", "D": "QEMU", "E": "KVM"}',
    "lesson01.check_three_ways(conn, virsh_line, result, names)":
        'virsh_line = "virsh list --all"\nresult = conn.list(all=True)\n'
        "names = [d.name() for d in conn.virconn.listAllDomains(0)]",
    "lesson01.check_python_to_virsh(conn, line)": 'line = "virsh create backup"',
    "lesson02.check_modes(modes_answer)": 'modes_answer = {code: "user" for code in lesson02.OPERATIONS}',
    "lesson02.check_who_goes_down(who_goes_down)":
        'who_goes_down = {"A": "process", "B": "process", "C": "process", "D": "guest", "E": "host", "F": "guest"}',
    "lesson03.check_roles(roles)": 'roles = {"cpu": "QEMU", "memory": "KVM", "io": "qume", "management": "libvirt"}',
    "lesson03.check_virtio_blk(virtio_disk, catalog)": 'virtio_disk = "virtio-scsi-pci"',
    "lesson03.check_vcpu_prediction(vcpu_threads, kvm_files)":
        'vcpu_threads = ["CPU 0/KVM"]\nkvm_files = ["/dev/kvm", "anon_inode:kvm-vm", "anon_inode:kvm-vcpu:0"]',
    "lesson04.check_modes(modes)": 'modes = {key: mode for key, (_, mode) in lesson04.SCENARIOS.items()}\n'
                                   'modes["routed"] = "open"',
    "lesson04.check_dhcp_network(conn, attempted=lab)":  # the colleague's prefix copied: libvirt accepts it
        'lab = test.replace("test", "lab").replace("route", "nat").replace("virbr11", "virbr10")'
        '.replace("172.16.0.1", "192.168.150.1").replace("172.61.10.1\'", "192.168.150.100\'")'
        '.replace("172.61.10.254", "192.168.150.200")\nprint(conn.net_define(lab))',
    "lesson04.check_start_line(conn, line)": 'line = "virsh net-start blue"',
    "lesson05.check_bridge(conn, bridge)": 'bridge = "default"',
    "lesson05.check_tap(conn, tap)": 'tap = "vnet0"',
    "lesson05.check_existing_bridge(conn, existing)": 'existing = "br0"',
    "lesson05.check_nic_network(conn, line, network)": 'network = "virbr2"\nline = "virsh create web03.xml"',
    "lesson06.check_command(line)":
        'line = "qemu-system-x86_64 -enable-kvm -m 2GB -smp 2 -hda /var/lib/libvirt/images/ex6.qcow2"',
    "lesson06.check_memory_kib(kib)": "kib = 2048",
    "lesson06.check_flags_of(conn, flags)": 'flags = f"-m {info.max_memory_kib} -smp {info.cpus}"',
    "lesson07.check_domain(conn)":
        "xml = \"<domain type='kvm'><name>lab7</name><memory>512</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm"
        "</type><boot dev='cdrom'/><boot dev='hd'/></os></domain>\"\nconn.define(xml)",
    "lesson07.check_fixed_xml(conn, xml)": 'xml = lesson07.BROKEN_XML.replace("two", "2")',
    "lesson07.check_memory_query(conn, line, kib)": 'line = "virsh dumpxml lab7"\nkib = 512',
    'lesson08.check_running(conn, "web02", persistent=True)': "conn.create(xml)",
    'lesson08.check_graceful_shutdown(conn, "web01")': 'conn.destroy("web01")',
    'lesson08.check_force_line(conn, line, "db01")': 'line = "virsh destory db01"',
    'lesson08.check_memory_edit(conn, "installer", 2048)': 'conn.edit("installer", editor="sed -i s/1048576/2048/")',
    'lesson08.check_deleted(conn, "backup")': 'try:\n    conn.destroy("backup")\nexcept kvmlab.KvmlabError as err:\n'
                                              "    print(err)",
    "lesson09.check_stop_command(conn, line)": 'line = "virsh net-stop routed"',
    'lesson09.check_removed(conn, "scratch")': 'conn.net_destroy("scratch")',
    "lesson09.check_autostart(conn, lines)": 'lines = ["virsh net-start isolated; virsh net-autostart isolated"]',
    "lesson10.check_pool_ready(conn, steps, path=lab_path)":
        'spec = PoolSpec(type="dir", name="lab", target=lab_path)\n'
        'steps = [conn.pool_define(spec), conn.pool_start("lab")]',
    'lesson10.check_define_from_file(conn, line, path=ws.path("backup"))':
        'backup_file.write_text(backup_spec.to_xml())\nline = "virsh pool-define {backup_file}"',
    'lesson10.check_volume_capacity(conn, line, "data.qcow2", pool="lab", gib=2)':
        'line = "virsh vol-create-as lab data.qcow2 2GB --format qcow2"',
    'lesson10.check_stopped_kept(conn, "lab")': 'try:\n    conn.pool_undefine("lab")\nexcept kvmlab.KvmlabError as err:\n'
                                                "    print(err)",
    'lesson10.check_removed(conn, "scratch")': 'conn.pool_destroy("scratch")',
    "lesson11.check_address(conn, ip_line, ip, mac)":
        f'ip_line = "domiflist {_REACH}"\nip = "192.168.122.1"\nmac = "52:54:00:4b:11:01"',
    "lesson11.check_disk(conn, disk_line, target, source)":
        f'disk_line = "domblklist {_REACH}"\ntarget = "/var/lib/libvirt/images/{_REACH}.qcow2"\nsource = "vda"',
    "lesson11.check_console(conn, device, key)": 'device = "tty0"\nkey = "Ctrl-C"',
    "lesson12.check_route_back(lab12, changed)": 'changed = {("route", "outside"), ("open", "outside")}',
    "lesson12.check_build_servers(lab12, mode_a)": 'mode_a = "route"',
    "lesson12.check_test_network(lab12, mode_b)": 'mode_b = "nat"',
    "lesson12.check_web_servers(lab12, mode_c)": 'mode_c = "route"',
    "lesson12.check_isolated_line(conn, line)": 'line = "virsh net-info kvmlab-net12-isolated"',
    'lesson13.check_overlay(ws, "web.qcow2", base="base.qcow2")': 'ws.create("web.qcow2", "64M")',
    "lesson13.check_thin_volume(conn, line, pool=host.pool)":
        'line = f"vol-create-as {host.pool} kvmlab-disk-thin.raw 2GB --format raw --allocation 0"',
    'lesson14.check_snapshot_line(conn, line, lab.domain, "clean")':
        'line = "virsh snapshot-create-as kvmlab-snap-ex clean --disk-only"',
    'lesson14.check_undone(lab, "clean", "mistake.txt")': 'conn.snapshot_delete(lab.domain, "broken")',
    "lesson17.check_import_line(conn, line, disk)":
        'line = f"virt-install --name kvmlab-ex17 --memory 128 --cdrom /tmp/debian.iso --disk {disk} --osinfo linux2022"',
    "lesson17.check_seed(iso)":
        'print(nocloud.build_seed(nocloud.Seed(meta_data=broken.meta_data, user_data=broken.user_data), iso))',
    "lesson18.check_slow_line(checks, line)": 'line = "QEMU: Checking if device /dev/vhost-net exists"',
    "lesson18.check_log_file(log, vm.uri, vm.domain)": 'log = "/var/log/kvmlab/libvirtd.log"',
    "lesson18.check_nonroot_uri(uri, fix)": 'uri = "qemu:///system"\nfix = "virsh list --all"',
    'lesson16.check_attach_line(lab, line, lab.domain, lab.disk, "vdb")':
        'line = f"virsh attach-disk {lab.domain} {lab.disk} vdb --live"',
    "lesson16.check_two_vcpus(lab, 2)":  # the definition changed, no new start
        "conn.setvcpus(lab.domain, 2, maximum=True, config=True)\nconn.setvcpus(lab.domain, 2, config=True)",
    "lesson15.check_ready_line(conn, line)": 'line = "virsh destroy kvmlab-tmpl-ex"',
    'lesson15.check_clone(conn, lab.template, "kvmlab-tmpl-ex-web")':
        'conn.destroy(lab.template) if conn.domstate(lab.template).state != "shut off" else None\n'
        'print(lab.clone_by_hand(lab.template, "kvmlab-tmpl-ex-web"))',  # the template's MAC kept
    "lesson15.check_who_changes(who_changes)":
        'who_changes = {**{k: w for k, (w, _) in lesson15.THINGS.items()}, "mac": "nobody", "hostname": "virt-clone"}',
}


def _is_check(cell) -> bool:
    return cell.cell_type == "code" and "raises-exception" in cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", LEARNER, ids=[p.stem for p in LEARNER])
def test_the_answer_shown_after_a_wrong_try_passes(path):
    nb = nbformat.read(path, as_version=4)
    cells, roles = [], []
    for cell in nb.cells:
        if _is_check(cell):
            check = cell.source.strip()
            assert check in WRONG, f"{path.name}: no wrong try for {check!r}"
            for role, source in (("wrong", WRONG[check]), ("fails", check), ("fails", check),
                                 ("answer", "_shown = show_answer()\nprint(_shown)\nexec(_shown.code)"),
                                 ("passes", check)):
                cells.append(nbformat.v4.new_code_cell(source))
                roles.append((role, check))
        else:
            cells.append(cell)
            roles.append(("notebook", ""))
    nb.cells = cells
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    problems = []
    for cell, (role, check) in zip(nb.cells, roles):
        if cell.cell_type != "code":
            continue
        errors = [(o.ename, o.evalue.splitlines()[0] if o.evalue else "") for o in cell.outputs
                  if o.output_type == "error"]
        if role == "fails" and [e[0] for e in errors] != ["ExerciseFailed"]:
            problems.append(f"{check}: the wrong try did not fail the check: {errors or 'it passed'}")
        elif role != "fails" and errors:
            problems.append(f"{check or 'a notebook cell'} ({role}): {errors} in {cell.source[:120]!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
