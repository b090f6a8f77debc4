"""Drive the classroom through the hub's REST API: start a learner's server, run code in a kernel.

What a learner's browser does, without the browser: ``POST /hub/api/users/NAME/server`` starts the
server, ``POST /user/NAME/api/kernels`` a kernel, and the kernel's websocket takes Jupyter messages
(``execute_request`` in, ``stream``/``error``/``execute_reply`` out). The token is the classroom
service's (state file): it may start and reach servers, nothing else.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from ..errors import OperationFailed


class Hub:
    def __init__(self, url: str, token: str) -> None:
        import requests

        self.url, self.token = url.rstrip("/") + "/", token
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def api(self, method: str, path: str, **kw):
        r = self.http.request(method, self.url + "hub/api/" + path, timeout=60, **kw)
        if r.status_code >= 400:
            raise OperationFailed(f"hub API {method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else {}

    def start(self, user: str, timeout: float = 240) -> None:
        """Start ``user``'s server and wait until it is ready (spawning may take a minute under load)."""
        self.api("POST", f"users/{user}/server")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            server = self.api("GET", f"users/{user}").get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(1)
        raise OperationFailed(f"{user}'s server was not ready after {timeout:.0f} s")

    def stop(self, user: str) -> None:
        self.api("DELETE", f"users/{user}/server")

    def kernel(self, user: str) -> "Kernel":
        return Kernel(self, user)


@dataclass
class Output:
    text: str = ""
    error: str = ""  # "Name: value" of an exception, "" when the code ran
    data: list[dict] = field(default_factory=list)  # display_data / execute_result bundles


class Kernel:
    """A python3 kernel in ``user``'s server, reached through the proxy."""

    def __init__(self, hub: Hub, user: str) -> None:
        import websocket

        self.hub, self.base = hub, f"{hub.url}user/{user}/api/"
        r = hub.http.post(self.base + "kernels", json={"name": "python3"}, timeout=60)
        if r.status_code >= 400:
            raise OperationFailed(f"could not start a kernel for {user}: {r.status_code} {r.text[:300]}")
        self.id = r.json()["id"]
        ws_url = self.base.replace("http", "ws", 1) + f"kernels/{self.id}/channels"
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {hub.token}"], timeout=30)
        self.session = uuid.uuid4().hex

    def run(self, code: str, timeout: float = 300) -> Output:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "kvmlab", "session": self.session, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out, end, replied, idle = Output(), time.monotonic() + timeout, False, False
        while not (replied and idle):
            if time.monotonic() > end:
                raise OperationFailed(f"the kernel did not finish within {timeout:.0f} s:\n{code[:200]}")
            self.ws.settimeout(max(1.0, end - time.monotonic()))
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.text += content["text"]
            elif kind in ("display_data", "execute_result"):
                out.data.append(content["data"])
                out.text += content["data"].get("text/plain", "") + "\n"
            elif kind == "error":
                out.error = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
        return out

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.hub.http.delete(self.base + f"kernels/{self.id}", timeout=30)
