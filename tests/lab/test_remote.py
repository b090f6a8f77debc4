"""Remote hosts, proven: the same lab operations through qemu+ssh:// to an sshd on loopback.

The test starts its own sshd on 127.0.0.1 (port 2222 when free) with a host key and an
authorized key generated in a temporary directory. libvirt runs the `ssh` client, which runs
`virt-ssh-helper qemu:///system` (package libvirt-daemon) on the "remote" side. ssh reads
its options from a wrapper passed as the URI's ``command=`` parameter, so root's
~/.ssh/known_hosts is never written.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import kvmlab
import kvmlab.lab as lab
from kvmlab.errors import ConnectionFailed
from kvmlab.lab.process import wait_until

SSHD = "/usr/sbin/sshd"
KVMLAB = str(Path(sys.executable).with_name("kvmlab"))


def _free_port(preferred: int = 2222) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free loopback port")


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """An sshd on 127.0.0.1 for root with a generated key; yields (uri_for(key), tmpdir)."""
    if not (os.path.exists(SSHD) and shutil.which("ssh") and shutil.which("ssh-keygen")):
        pytest.fail("remote tests need openssh-server and openssh-client (apt-get install openssh-server)",
                    pytrace=False)
    d = tmp_path_factory.mktemp("sshd")
    _keygen(d / "host_key")
    _keygen(d / "client_key")
    shutil.copy(d / "client_key.pub", d / "authorized_keys")
    port = _free_port()
    (d / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {d}/host_key\n"
        f"AuthorizedKeysFile {d}/authorized_keys\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        f"PidFile {d}/sshd.pid\n"
    )
    ssh = d / "ssh"
    ssh.write_text(
        "#!/bin/sh\n# libvirt's ssh, with a private known_hosts: root's ~/.ssh stays untouched\n"
        f"exec ssh -F none -o UserKnownHostsFile={d}/known_hosts -o StrictHostKeyChecking=no "
        "-o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 \"$@\"\n"
    )
    ssh.chmod(0o755)
    privsep = Path("/run/sshd")  # sshd's privilege-separation directory (made at boot normally)
    made_privsep = not privsep.exists()
    privsep.mkdir(mode=0o755, exist_ok=True)
    log = open(d / "sshd.log", "w")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(d / "sshd_config")], stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL)
    try:
        if not wait_until(lambda: proc.poll() is not None or _listening(port), 15):
            pytest.fail(f"sshd did not listen on 127.0.0.1:{port}", pytrace=False)
        if proc.poll() is not None:
            pytest.fail(f"sshd exited: {(d / 'sshd.log').read_text()}", pytrace=False)

        def uri_for(key: Path = d / "client_key") -> str:
            return f"qemu+ssh://root@127.0.0.1:{port}/system?keyfile={key}&command={ssh}"

        yield uri_for, d
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        if made_privsep:
            shutil.rmtree(privsep, ignore_errors=True)


@pytest.mark.reallab
def test_ssh_uri_reaches_the_same_daemon(real_lab, sshd, kvmconn):
    uri_for, d = sshd
    remote = kvmconn(uri_for())
    local = kvmconn(real_lab)
    assert remote.virconn.getType() == "QEMU"
    assert remote.virconn.getHostname() == local.virconn.getHostname()
    assert sorted(n.name() for n in remote.virconn.listAllNetworks(0)) == sorted(
        n.name() for n in local.virconn.listAllNetworks(0))
    assert "Accepted publickey for root from 127.0.0.1" in (d / "sshd.log").read_text()
    assert not (Path.home() / ".ssh" / "known_hosts").exists() or "127.0.0.1" not in (
        Path.home() / ".ssh" / "known_hosts").read_text()


@pytest.mark.reallab
def test_reset_spares_the_learner_over_ssh(real_lab, sshd, kvmconn, helpers, tmp_path):
    uri_for, _ = sshd
    uri = uri_for()
    helpers.ownership_scenario(kvmconn(uri), uri, str(tmp_path / "learner-pool"))


@pytest.mark.reallab
def test_cli_status_and_reset_over_ssh(real_lab, sshd):
    uri_for, _ = sshd
    uri = uri_for()
    with kvmlab.connect(uri) as c:
        lab.ensure_lab_network(c, "isolated")
    try:
        p = subprocess.run([KVMLAB, "lab", "status", "-c", uri], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        assert f"URI:            {uri}\n" in p.stdout and "kvmlab-isolated (active)" in p.stdout
        assert "Accelerator:" in p.stdout
    finally:
        p = subprocess.run([KVMLAB, "lab", "reset", "-c", uri], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "Network kvmlab-isolated destroyed and undefined" in p.stdout, p


@pytest.mark.reallab
def test_a_wrong_key_is_refused_clearly(real_lab, sshd, tmp_path):
    uri_for, _ = sshd
    _keygen(tmp_path / "stranger")
    with pytest.raises(ConnectionFailed) as exc:
        kvmlab.connect(uri_for(tmp_path / "stranger"))
    assert "failed to connect to the hypervisor" in exc.value.message
    assert exc.value.hint
