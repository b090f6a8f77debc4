"""The hub's jupyterhub_config.py, written from the classroom's state.

PAM checks the generated passwords (the hub runs as root and reads /etc/shadow; no PAM session is
opened, so nothing needs systemd-logind). LocalProcessSpawner starts each learner's JupyterLab as
that learner (setuid), in their copy of the course, with ``KVMLAB_URI=qemu:///session``: each learner
talks to a libvirtd of their own, started on demand with its socket in their 0700 home.
The proxy is configurable-http-proxy's Python implementation (PyPI): one installer (pip) for the
whole classroom, no Node.js. Ports: the proxy on ``port`` (the only public one), its API on
``port+1``, the hub on ``port+2`` and the teacher's page on ``port+3``, all but the first on loopback.
"""

from __future__ import annotations

import os

from . import paths

SERVICE = "kvmlab-classroom"  # the API token the CLI, the test and the bench use (admin of servers)
PAGE = "progress"  # the teacher's page, a hub service: /services/progress/


def render(state: dict, bin_dir: str) -> str:
    port, ip = state["port"], state["ip"]
    learners, teacher = state["learners"], state["teacher"]
    env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "KVMLAB_URI": "qemu:///session",
        "KVMLAB_PROGRESS": "~/" + paths.PROGRESS_FILE,
        "LANG": "C.UTF-8",
    }
    page_env = {"KVMLAB_CLASSROOM_LEARNERS": ",".join(learners), "KVMLAB_CLASSROOM_TEACHER": teacher}
    roles = [
        {"name": "kvmlab-classroom", "services": [SERVICE],
         "scopes": ["list:users", "read:users", "admin:servers", "access:servers", "read:services"]},
        {"name": "kvmlab-teacher", "users": [teacher],
         "scopes": ["self", f"access:services!service={PAGE}", "list:users", "read:users", "admin:servers"]},
    ]
    services = [
        {"name": SERVICE, "api_token": state["token"]},
        {"name": PAGE, "url": f"http://127.0.0.1:{port + 3}", "display": True, "oauth_no_confirm": True,
         "command": [os.path.join(bin_dir, "python"), "-m", "kvmlab.classroom.teacher", str(port + 3)],
         "environment": page_env},
    ]
    lines = [
        "# written by `kvmlab classroom up`; `kvmlab classroom down` removes it",
        "c = get_config()  # noqa",
        f"c.JupyterHub.ip = {ip!r}",
        f"c.JupyterHub.port = {port}",
        f"c.JupyterHub.hub_ip = '127.0.0.1'",
        f"c.JupyterHub.hub_port = {port + 2}",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{port + 1}'",
        f"c.ConfigurableHTTPProxy.command = [{os.path.join(bin_dir, 'configurable-http-proxy')!r}]",
        f"c.JupyterHub.db_url = 'sqlite:///{paths.STATE_DIR}/jupyterhub.sqlite'",
        f"c.JupyterHub.cookie_secret_file = '{paths.STATE_DIR}/jupyterhub_cookie_secret'",
        f"c.JupyterHub.pid_file = '{paths.STATE_DIR}/jupyterhub.pid'",
        "c.JupyterHub.authenticator_class = 'pam'",
        "c.PAMAuthenticator.open_sessions = False",
        f"c.Authenticator.allowed_users = {set(learners) | {teacher}!r}",
        "c.JupyterHub.spawner_class = 'jupyterhub.spawner.LocalProcessSpawner'",
        f"c.Spawner.cmd = [{os.path.join(bin_dir, 'jupyterhub-singleuser')!r}]",
        f"c.Spawner.notebook_dir = '~/{paths.COURSE_DIR}'",
        "c.Spawner.default_url = '/lab/tree/notebooks'",
        f"c.Spawner.environment = {env!r}",
        "c.Spawner.env_keep = ['LANG', 'LC_ALL']  # not the hub's PATH or PYTHONPATH: the learners' own env",
        "c.Spawner.start_timeout = 180",
        "c.Spawner.http_timeout = 120",
        f"c.JupyterHub.load_roles = {roles!r}",
        f"c.JupyterHub.services = {services!r}",
        "c.JupyterHub.cleanup_servers = True",
    ]
    return "\n".join(lines) + "\n"
