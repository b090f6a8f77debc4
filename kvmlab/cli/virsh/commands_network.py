"""virsh's network commands: option tables bound to the network operations."""

from __future__ import annotations

from .parse import BOOL, DATA, STRING, Command, Opt  # noqa: F401

COMMANDS: list[Command] = []
