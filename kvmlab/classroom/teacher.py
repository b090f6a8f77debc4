"""The teacher's page: a JupyterHub service (run by the hub, as root) that only the teacher may open.

``python -m kvmlab.classroom.teacher PORT``. It reads each learner's 0600 progress file (root can;
learners cannot read each other's) with :func:`kvmlab.classroom.progress.read`, which follows no
symlink a learner might plant, and shows learners x exercises. ``api`` gives the same as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import sys

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web

from . import table

LEARNERS = [n for n in os.environ.get("KVMLAB_CLASSROOM_LEARNERS", "").split(",") if n]
TEACHER = os.environ.get("KVMLAB_CLASSROOM_TEACHER", "")


class Page(HubOAuthenticated, web.RequestHandler):
    @web.authenticated
    def get(self, fmt: str = "") -> None:
        if self.current_user.get("name") != TEACHER:  # the hub's scope check first, then this
            raise web.HTTPError(403, "only the teacher sees the progress table")
        data = table.collect(LEARNERS)
        if fmt == "api":
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(data))
        else:
            self.finish(table.html(data))


def main(port: int) -> None:
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/progress/")
    app = web.Application([
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        (prefix + r"(api)?", Page),
    ], cookie_secret=secrets.token_bytes(32))
    app.listen(port, address="127.0.0.1")
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main(int(sys.argv[1]))
