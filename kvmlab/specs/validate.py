"""All checks in one call: libvirt's RelaxNG schema first, then the crash guard and kvmlab's teaching checks.

``check_xml`` returns every problem; ``validate_xml`` raises one SpecError listing them.
The top-level specs inherit :class:`Spec`, which gives them ``.problems()`` and ``.validate()``.
"""

from __future__ import annotations

from typing import Callable

from lxml import etree

from .checks_domain import domain_problems
from .checks_network import network_problems
from .checks_snapshot import snapshot_problems
from .checks_storage import pool_problems, volume_problems
from .guard import guard_problems
from .parser import parse_xml
from .problems import Problem, raise_if_errors
from .rng import rng_problems
from .xmlobject import XmlObject

__all__ = ["check_xml", "validate_xml", "Spec", "CHECKS"]

CHECKS: dict[str, Callable[[etree._Element], list[Problem]]] = {
    "domain": domain_problems,
    "network": network_problems,
    "pool": pool_problems,
    "volume": volume_problems,
    "snapshot": snapshot_problems,
}


def check_xml(kind: str, xml: str, *, schema: bool = True) -> list[Problem]:
    """Every problem in ``xml``: libvirt's schema verdict first, then guard hazards and teaching checks.

    The schema is libvirt's own word on the document, so its errors always come first and are never
    hidden behind a teaching message about the same element. Teaching checks refuse only what libvirt
    itself refuses, and say which part (a driver, at define or start, or the schema). Where kvmlab is
    stricter on purpose the problem is ``strict``: it fails, says libvirt accepts it, and the SpecError's
    hint says how to go on (send the XML text: only the crash guard checks it).

    Raises:
        SpecError: the XML is not well-formed or its root is not ``<kind>``.
    """
    root = parse_xml(xml, kind)
    problems = rng_problems(kind, root) if schema else []  # libvirt's verdict first; one parse
    return problems + guard_problems(kind, root) + CHECKS[kind](root)


def validate_xml(kind: str, xml: str, *, schema: bool = True) -> None:
    """Raise one SpecError listing every problem, if any is an error (notes alone pass).

    Raises:
        SpecError: with ``.problems``, the full list.
    """
    raise_if_errors(kind, check_xml(kind, xml, schema=schema))


class Spec(XmlObject):
    """A top-level spec (domain, network, pool, volume, snapshot): XML plus validation."""

    def problems(self, *, schema: bool = True) -> list[Problem]:
        """Every problem (errors and notes), without raising."""
        return check_xml(self.KIND, self.to_xml(), schema=schema)

    def validate(self, *, schema: bool = True) -> None:
        """Raise a SpecError listing ALL problems (notes included), if there is any error."""
        validate_xml(self.KIND, self.to_xml(), schema=schema)
