"""Record lesson 5's bridge demo on the real lab, for where it cannot run (the embedded lab, Binder).

As root, with kvmlab's own lab up (`sudo kvmlab lab up`): runs the demo live on web01 and writes
kvmlab/data/bridge-demo-recording.json with where and when it was recorded. Re-record whenever
tests/lab/test_bridge_demo_real.py says a fresh run no longer has the recording's shape.
"""

from __future__ import annotations

import kvmlab
import kvmlab.lab
from kvmlab.concepts import bridge_demo


def main() -> None:
    with kvmlab.connect(kvmlab.lab.lab_uri()) as conn:
        kvmlab.lab.course_host(conn)  # web01 running on kvmlab-nat, as lesson 5 has it
        demo = bridge_demo.run(conn, "web01", live=True)
    path = bridge_demo.save_recording(demo)
    print(demo)
    print(f"\nrecorded to {path}")


if __name__ == "__main__":
    main()
