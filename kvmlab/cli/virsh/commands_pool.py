"""virsh's pool commands: option tables bound to the pool operations."""

from __future__ import annotations

from .parse import BOOL, DATA, STRING, Command, Opt  # noqa: F401

COMMANDS: list[Command] = []
