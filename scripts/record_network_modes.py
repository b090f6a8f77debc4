"""Record lesson 12's reachability matrix on the real lab, for where no guest can run (embedded lab, Binder).

As root, with kvmlab's own lab up (`sudo kvmlab lab up`): builds lesson 12's networks and guests, measures
both situations (as built, and the outside without its route back), writes
kvmlab/data/network-modes-recording.json with where and when, and removes everything it made.
Re-record whenever tests/lab/test_network_modes_real.py says a fresh measurement differs from the recording.
"""

from __future__ import annotations

import kvmlab
import kvmlab.lab
from kvmlab.concepts import bridge_demo, reachability
from kvmlab.lab import probe, reach_lab


def main() -> None:
    with kvmlab.connect(kvmlab.lab.lab_uri()) as conn:
        lab = reach_lab.reach_lab(conn)
        try:
            matrices = [reachability.measure(lab, situation, live=True) for situation in reachability.SITUATIONS]
        finally:
            print("\n".join(reach_lab.remove(conn)))
    where = bridge_demo._where() + "; lesson 12's networks kvmlab-net12-* and 11 tiny guests under " + (
        "KVM" if probe.accel() == "kvm" else "TCG")
    path = reachability.save_recording(matrices, where)
    for m in matrices:
        print(m, end="\n\n")
    print(f"recorded to {path}")


if __name__ == "__main__":
    main()
