"""kvmlab's own texts in the learner's language: ``_("…")`` looks a message up in domain ``kvmlab``.

The catalogs ship in the package as plain ``.po`` files (``kvmlab/locale/<lang>/LC_MESSAGES/kvmlab.po``),
read by the small reader below: no compile step, so no ``.mo`` to keep in step with its source.

Which language, first match wins:
1. ``kvmlab.set_language("zh")`` (:mod:`kvmlab.language`; ``None`` hands the choice back);
2. ``KVMLAB_LANG`` (``zh`` or ``en``): an explicit switch for a notebook server or a classroom;
3. the environment, read exactly as virsh's texts are (LANGUAGE/LC_ALL/LC_MESSAGES/LANG,
   :func:`kvmlab.render.l10n.env_languages`); ``C``/``POSIX``/unset means English.

English is the default and the msgids are the English texts: on the English path nothing is read
and ``_()`` returns its argument. Checks translate when they build a failure, the ladder's framing
when it is shown; so a notebook's stored English output stays English unless a language is chosen.
"""

from __future__ import annotations

import os
from typing import TypeVar

__all__ = ["DOMAIN", "LANGUAGES", "_", "N_", "L_", "Lazy", "choose", "language", "catalog_path"]

DOMAIN = "kvmlab"
LANGUAGES = {"zh": "zh_CN"}  # what set_language() takes -> the catalog's folder; "en" is the msgids

_chosen: str | None = None  # set_language()'s choice, None = follow KVMLAB_LANG, then the environment
_key: tuple | None = None  # what the cached catalog was picked for
_messages: dict[str, str] | None = None  # msgid -> msgstr, or None for English
_loaded: dict[str, dict[str, str]] = {}  # catalog folder -> its messages (read once)


def _norm(name: str | None) -> str | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-cn`` -> ``zh``; ``en``, ``C`` -> ``en``; unknown -> None."""
    if not name:
        return None
    base = name.replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    if base in LANGUAGES:
        return base
    if base in ("en", "c", "posix"):
        return "en"
    return None


def choose(lang: str | None) -> bool:
    """Set the language (``kvmlab.set_language`` checks and explains; this bottom layer only stores):
    False, and nothing changed, for a language kvmlab does not have."""
    global _chosen
    if lang is not None and _norm(lang) is None:
        return False
    _chosen = None if lang is None else _norm(lang)
    return True


def language() -> str:
    """The language kvmlab's texts are in now: ``"en"`` or ``"zh"``."""
    return _pick(_chosen, os.environ.get("KVMLAB_LANG"))


def _pick(chosen: str | None, switch: str | None) -> str:
    if chosen:
        return chosen
    if _norm(switch):
        return _norm(switch)  # type: ignore[return-value]
    from .render.l10n import env_languages

    # LANGUAGE is a list: the first language kvmlab has (English included, as gettext's msgids)
    for lang in env_languages():
        found = _norm(lang)
        if found:
            return found
    return "en"


def catalog_path(lang: str) -> str:
    return os.path.join(os.path.dirname(__file__), "locale", LANGUAGES[lang], "LC_MESSAGES", DOMAIN + ".po")


def read_po(path: str) -> dict[str, str]:
    """A ``.po`` file's translated messages (msgid -> msgstr); fuzzy and empty entries are left out."""
    import ast

    out: dict[str, str] = {}
    entry: dict[str, str] = {}
    field, fuzzy, next_fuzzy = "", False, False

    def flush() -> None:
        if entry.get("msgid") and entry.get("msgstr") and not fuzzy:
            out[entry["msgid"]] = entry["msgstr"]

    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("#,") and "fuzzy" in line:
                next_fuzzy = True
            if not line or line.startswith("#"):
                continue
            if line.startswith("msgid "):
                flush()
                entry, fuzzy, next_fuzzy = {}, next_fuzzy, False
                field, line = "msgid", line[6:]
            elif line.startswith("msgstr "):
                field, line = "msgstr", line[7:]
            entry[field] = entry.get(field, "") + ast.literal_eval(line)
    flush()
    return out


def messages(lang: str) -> dict[str, str]:
    if lang not in _loaded:
        _loaded[lang] = read_po(catalog_path(lang))
    return _loaded[lang]


def _(msgid: str) -> str:
    """``msgid`` in the current language (itself in English, or when no translation exists)."""
    global _key, _messages
    from .render.l10n import _env

    key = (_chosen, os.environ.get("KVMLAB_LANG"), _env())
    if key != _key:
        lang = _pick(_chosen, key[1])
        _key, _messages = key, (None if lang == "en" else messages(lang))
    if _messages is None:
        return msgid
    return _messages.get(msgid, msgid)


T = TypeVar("T")


def N_(texts: T) -> T:
    """Mark texts for translation without translating them now (module-level tables, read at import,
    before the learner chooses a language): every string literal in the argument is a msgid, except
    a dict's keys. Translate each one where it is used: ``_(TABLE[key])``."""
    return texts


class Lazy:
    """A text translated when it is shown, not when it is made: ``L_("… {name} …", name=x)``.

    For hints an operation prepares before it calls libvirt (most calls succeed, and then the hint is
    never read): building one costs an object, not a catalog lookup. ``str()`` translates and fills
    the fields in the language of that moment; :class:`kvmlab.errors.KvmlabError` does it when raised."""

    __slots__ = ("msgid", "fields")

    def __init__(self, msgid: str, fields: dict) -> None:
        self.msgid, self.fields = msgid, fields

    def __str__(self) -> str:
        text = _(self.msgid)
        return text.format(**self.fields) if self.fields else text

    def format(self, **fields) -> "Lazy":  # a template filled later: L_(…).format(name=…)
        return Lazy(self.msgid, {**self.fields, **fields})

    def __repr__(self) -> str:
        return f"L_({self.msgid!r})"

    def __bool__(self) -> bool:
        return bool(self.msgid)


def L_(msgid: str, **fields) -> Lazy:
    """``msgid`` marked for translation, translated (and its ``{fields}`` filled) when shown."""
    return Lazy(msgid, fields)
