"""The classroom: one JupyterHub, one JupyterLab per learner (a real local account, its own
qemu:///session lab), and a teacher's page of every learner's progress.

``up``/``down``/``status`` live in :mod:`.hub`; the accounts in :mod:`.accounts`; the learners'
Python environment in :mod:`.env`; the hub's configuration in :mod:`.hubconfig`; progress records
in :mod:`.progress` and the teacher's page in :mod:`.teacher`; running code in a learner's kernel
through the hub in :mod:`.kernel`. Root only (it makes accounts); nothing here is imported by
``import kvmlab``.
"""

from __future__ import annotations

__all__ = ["up", "down", "status"]


def __getattr__(name: str):
    if name in __all__:
        from . import hub

        return getattr(hub, name)
    raise AttributeError(name)
