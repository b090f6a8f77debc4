"""Widget tests: libvirt's event loop runs before any connection opens (as in a notebook)."""

from __future__ import annotations

import pytest

from kvmlab.widgets import events


@pytest.fixture(autouse=True, scope="session")
def libvirt_events():
    """Start libvirt's default event loop once, before the first ``conn`` fixture opens."""
    events.start()
    yield
