"""Shared by the Chinese tests: each starts in English with a fresh hint ladder, and leaves it so."""

from __future__ import annotations

import pytest

import kvmlab
from kvmlab.exercises.ladder import PROGRESS


def has_chinese(text: str | None) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text or "")


@pytest.fixture(autouse=True)
def _english_and_a_fresh_ladder(monkeypatch):
    for name in ("KVMLAB_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    kvmlab.set_language(None)
    PROGRESS.reset()
    yield
    kvmlab.set_language(None)
    PROGRESS.reset()
