"""``kvmlab.set_language``: the learner's choice of language for kvmlab's own texts (see :mod:`kvmlab.i18n`)."""

from __future__ import annotations

from . import i18n
from .errors import InvalidInput

__all__ = ["set_language"]


def set_language(lang: str | None) -> None:
    """Choose kvmlab's language for this kernel: ``"zh"`` (中文), ``"en"``, or ``None`` (the environment:
    KVMLAB_LANG, then LANGUAGE/LC_ALL/LC_MESSAGES/LANG as virsh reads them).

    >>> import kvmlab
    >>> kvmlab.set_language("zh")   # the exercises' diagnoses and hints in Chinese
    """
    if not (lang is None or isinstance(lang, str)) or not i18n.choose(lang):
        raise InvalidInput(f"kvmlab speaks no language {lang!r}",
                           hint='choose "zh" (中文), "en" (English) or None (follow KVMLAB_LANG, then LANG/LANGUAGE)')
