"""Validation messages for forms and editors: the specs' ``validate()`` turned into lines to show.

The checks themselves live in kvmlab.specs (libvirt's RelaxNG schema, kvmlab's teaching checks,
the guard against values that crash libvirt 9.0); widgets only display what they find.
"""

from __future__ import annotations

from typing import Any

from ..errors import KvmlabError, SpecError

__all__ = ["spec_class", "spec_problems", "xml_problems", "is_valid"]


def spec_class(kind: str) -> type:
    """DomainSpec, NetworkSpec, PoolSpec or VolumeSpec for ``kind``."""
    from .. import specs

    return getattr(specs, {"domain": "DomainSpec", "network": "NetworkSpec", "pool": "PoolSpec",
                           "volume": "VolumeSpec"}[kind])  # fmt: skip


def _line(problem: Any) -> str:
    return ("note: " if getattr(problem, "severity", "error") == "note" else "") + str(problem)


def _lines(err: KvmlabError) -> list[str]:
    problems = getattr(err, "problems", None)
    return [_line(p) for p in problems] if problems else [err.message]


def spec_problems(spec: Any) -> list[str]:
    """``spec.problems()`` as lines: [] when valid; lines starting ``note:`` only teach."""
    try:
        return [_line(p) for p in spec.problems()]
    except SpecError as err:
        return _lines(err)


def is_valid(problems: list[str]) -> bool:
    """No errors (notes alone pass, as in ``validate()``)."""
    return all(p.startswith("note: ") for p in problems)


def xml_problems(kind: str, xml: str) -> list[str]:
    """Parse ``xml`` as a ``kind`` spec and validate it (a parse error is one problem)."""
    try:
        spec = spec_class(kind).from_xml(xml)
    except KvmlabError as err:
        return _lines(err)
    return spec_problems(spec)
