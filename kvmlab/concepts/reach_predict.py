"""Lesson 4's prediction of lesson 12's matrix, cell by cell, read from lesson 4's own table.

Lesson 4 keeps, for each forward mode, what it does with traffic (:data:`kvmlab.concepts.topology.MODE_TRAFFIC`):
guest ↔ guest, guest ↔ host, guest → outside, outside → guest, in words. This module reads those words as
yes or no, and builds every cell of the matrix from them; across networks (for which lesson 4 has no column)
a ping must leave its network (the source's "guest → outside") and enter the other (the destination's
"outside → guest").
"""

from __future__ import annotations

from ..lab.reach_plan import MODES
from .topology import MODE_TRAFFIC

__all__ = ["TARGETS", "keys", "predicted", "says_yes"]

TARGETS = (*MODES, "host", "outside")


def keys() -> list[tuple[str, str]]:
    """Every cell, in the table's order: each mode's row, then the outside pinging each network."""
    return [(src, dst) for src in MODES for dst in TARGETS] + [("outside", m) for m in MODES]


def says_yes(text: str) -> bool:
    """Lesson 4's words as yes/no: 'yes …', 'routed …' and 'as routed …' say the packet goes."""
    return text.lower().startswith(("yes", "routed", "as routed"))


def predicted(src: str, dst: str) -> tuple[bool, str]:
    """Lesson 4's prediction for a cell, and the words of lesson 4's table it comes from.

    Across networks, lesson 4 has no column: the ping must leave its network (the source mode's
    "guest → outside") and enter the other (the destination mode's "outside → guest").
    """
    if src == "outside":
        t = MODE_TRAFFIC[dst]
        return says_yes(t.from_outside), f"{dst}, outside → guest: “{t.from_outside}”"
    t = MODE_TRAFFIC[src]
    if dst == src:
        return says_yes(t.guest_guest), f"{src}, guest ↔ guest: “{t.guest_guest}”"
    if dst == "host":
        return says_yes(t.guest_host), f"{src}, guest ↔ host: “{t.guest_host}”"
    if dst == "outside":
        return says_yes(t.to_outside), f"{src}, guest → outside: “{t.to_outside}”"
    u = MODE_TRAFFIC[dst]
    yes = says_yes(t.to_outside) and says_yes(u.from_outside)
    return yes, f"{src}, guest → outside: “{t.to_outside}”; then {dst}, outside → guest: “{u.from_outside}”"
