"""virsh's words in the user's language, from libvirt's own message catalog (domain ``libvirt``).

virsh runs ``setlocale(LC_ALL, "")`` and looks every text it prints up with gettext; Debian ships
the catalogs in ``libvirt-l10n``. kvmlab looks the same texts up in the same catalog, so under
``LANG=zh_CN.UTF-8`` `kvmlab virsh` prints what virsh prints, byte for byte.

The language follows glibc's rules, as virsh sees them:
- the messages locale is the first of LC_ALL, LC_MESSAGES, LANG that is set; ``C``/``POSIX``
  (or nothing) means English, and LANGUAGE is then ignored;
- otherwise LANGUAGE (a ``:`` list) picks the catalog, else the locale's own name;
- a locale the system does not have (not generated) leaves everything in English.

English is the default and costs nothing: gettext and locale are imported only when the
environment names another language. The catalog is read again when those variables change.
"""

from __future__ import annotations

import os
import re

__all__ = ["LOCALEDIR", "DOMAIN", "env_languages", "catalog", "tr", "tr_line", "ljust_bytes", "virsh_setlocale"]

LOCALEDIR = "/usr/share/locale"
DOMAIN = "libvirt"
_C_NAMES = ("", "C", "POSIX")

_key: tuple | None = None  # the environment the cached catalog was read for
_catalog = None  # gettext.GNUTranslations, or None for English
_index_of: dict[str, list] | None = None  # first word of a msgid -> [(msgid, msgstr)]
_compiled: dict[str, list] = {}  # first word -> [(regex, msgstr, literal size, kinds)], most specific first
_setlocale_failed = False  # `kvmlab virsh` found a locale the system lacks: all English, as virsh
_messages_set = False  # this module set the C library's LC_MESSAGES (undone on the way back to English)


_NAMES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# os.environ's own dict (bytes on POSIX): four lookups there cost ~0.2 µs, through os.environ ~2 µs,
# and every result printed asks (a notebook may change the language at any time)
_RAW = getattr(os.environ, "_data", None)
_RAW_KEYS = tuple(os.fsencode(n) for n in _NAMES) if isinstance(_RAW, dict) and os.name == "posix" else None


def _env() -> tuple:
    if _RAW_KEYS is not None:
        return tuple(map(_RAW.get, _RAW_KEYS))
    return tuple(map(os.environ.get, _NAMES))


def env_languages(key: tuple | None = None) -> list[str]:
    """The languages the environment asks for, in order (glibc's rule above), or [] for English.

    The one reading of LANGUAGE/LC_ALL/LC_MESSAGES/LANG: virsh's catalog here, kvmlab's own texts
    in :mod:`kvmlab.i18n`."""
    language, *names = (os.fsdecode(v) if isinstance(v, bytes) else v for v in (key or _env()))
    name = next((n for n in names if n), "")
    if name in _C_NAMES or (name.startswith("C.") and not language):  # C.UTF-8: no catalog is named C
        return []
    return [lang for lang in (language or "").split(":") if lang] or [name]


def catalog():
    """libvirt's catalog for the current environment's language, or None (English)."""
    global _key, _catalog, _index_of, _messages_set
    key = tuple(map(_RAW.get, _RAW_KEYS)) if _RAW_KEYS is not None else _env()  # _env(), inline: every result asks
    if key == _key:
        return _catalog
    _key, _catalog, _index_of = key, None, None
    _compiled.clear()
    languages = env_languages(key)
    if not languages or _setlocale_failed:
        if _messages_set:  # back to English: libvirt's own messages too
            import locale

            locale.setlocale(locale.LC_MESSAGES, "C")
            _messages_set = False
        return None
    import locale  # only off the English path

    try:
        # the messages locale must exist (virsh's setlocale fails otherwise), and libvirt's C
        # library translates its own error messages only once the process has set it
        locale.setlocale(locale.LC_MESSAGES, "")
        _messages_set = True
    except locale.Error:
        return None
    import gettext

    found = gettext.translation(DOMAIN, LOCALEDIR, languages=languages, fallback=True)
    _catalog = found if isinstance(found, gettext.GNUTranslations) else None
    return _catalog


def tr(msgid: str) -> str:
    """``_(msgid)`` as virsh writes it: the translation, or ``msgid`` itself."""
    cat = catalog()
    return msgid if cat is None else cat.gettext(msgid)


def ljust_bytes(text: str, width: int) -> str:
    """C's ``%-15s``: pad to ``width`` bytes of UTF-8 (a Chinese character is three bytes)."""
    if text.isascii():
        return text.ljust(width)
    return text + " " * max(0, width - len(text.encode("utf-8", "surrogateescape")))


# --- whole printed lines: "Domain 'web01' started" -> "域 'web01' 已启动" ---

_SPEC = r"%(?:(\d+)\$)?[-+ #0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|z|j|t|L)?([sdiuxXcfgp%])"  # compiled on first use (re caches it)
_NUMBER = {"d": r"-?\d+", "i": r"-?\d+", "u": r"\d+", "x": r"[0-9a-f]+", "X": r"[0-9A-F]+"}


def _pattern(msgid: str) -> tuple[re.Pattern, int, tuple[str, ...]] | None:
    """A regex that matches what ``printf(msgid, …)`` printed, one group per argument, its literal
    size, and how each argument stands: ``'quoted'`` (a name), ``<wrapped>`` (a type word) or bare."""
    parts, literal, pos, kinds = [], 0, 0, []
    for m in re.finditer(_SPEC, msgid):
        text = msgid[pos:m.start()]
        parts.append(re.escape(text))
        literal += len(text)
        conv = m.group(2)
        if conv == "%":
            parts.append("%")
            literal += 1
        elif m.group(1):  # a positional argument in an English msgid: too rare to be worth it
            return None
        else:
            parts.append(f"({_NUMBER.get(conv, '.*?')})")
            quoted = msgid[m.start() - 1:m.start()] + msgid[m.end():m.end() + 1]
            wrapped = quoted == "<>" and msgid[:m.start()].endswith("%s <")  # --%s <string>: a type word
            kinds.append("wrapped" if wrapped else "quoted" if quoted in ("''", '""') else "")
        pos = m.end()
    parts.append(re.escape(msgid[pos:]))
    literal += len(msgid) - pos
    return re.compile("".join(parts), re.S), literal, tuple(kinds)


def _nested(arg: str, wrapped: bool) -> str:
    """An argument that is itself virsh's or libvirt's text (``Option argument is empty`` inside
    ``Failed to get option '%s': %s``; ``string`` inside ``--%s <%s>``) is translated too; a
    name (one word, not in ``<…>``) is data and stays."""
    if wrapped:
        return tr(arg)
    return tr_line(arg) if " " in arg else arg


def _fill(msgstr: str, args: tuple[str, ...]) -> str:
    """``msgstr`` with each conversion replaced by the text its argument printed (``%2$s`` too)."""
    seq = iter(args)

    def one(m: re.Match) -> str:
        if m.group(2) == "%":
            return "%"
        if m.group(1):
            return args[int(m.group(1)) - 1]
        return next(seq, "")

    return re.sub(_SPEC, one, msgstr)


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0]


def _index(cat) -> dict[str, list]:
    """The catalog's msgids by first word (a trailing newline dropped), to match printed lines."""
    index: dict[str, list] = {}
    for msgid, msgstr in cat._catalog.items():
        if not isinstance(msgid, str) or not msgid or msgid == msgstr:
            continue
        word = _first_word(msgid)
        if "%" in word:  # starts with an argument (--%s and --%s are mutually exclusive): kept
            if len(re.sub(_SPEC, "", msgid)) < 12:  # only when its own words say enough to be sure
                continue
            word = ""
        index.setdefault(word, []).append((msgid, msgstr))
    return index


def _templates_for(cat, word: str) -> list:
    global _index_of
    if word in _compiled:
        return _compiled[word]
    if _index_of is None:
        _index_of = _index(cat)
    compiled = []
    for msgid, msgstr in _index_of.get(word, ()):
        newline = msgid.endswith("\n") and msgstr.endswith("\n")
        pat = _pattern(msgid[:-1] if newline else msgid)
        if pat is not None:
            compiled.append((pat[0], msgstr[:-1] if newline else msgstr, pat[1], pat[2]))
    compiled.sort(key=lambda t: -t[2])  # the most specific template first
    _compiled[word] = compiled
    return compiled


def _match(cat, line: str) -> tuple[str, int] | None:
    """The translation of ``line`` by the most specific msgid it fits, and that msgid's literal size."""
    exact = cat._catalog.get(line)
    if isinstance(exact, str) and "%" not in line:
        return exact, len(line)
    for word in (_first_word(line), ""):  # the msgids that start with its first word, then with an argument
        for rx, msgstr, size, kinds in _templates_for(cat, word):
            m = rx.fullmatch(line)
            if m:
                args = tuple(a if k == "quoted" else _nested(a, k == "wrapped") for a, k in zip(m.groups(), kinds))
                return _fill(msgstr, args), size
    return None


def tr_line(line: str) -> str:
    """A line virsh printed with ``_(template)``, written in the catalog's language.

    The English line is matched against libvirt's msgids (``Domain '%s' started``) and the
    arguments are put into the translation; a line no msgid matches stays as it is. A system
    error (``Failed to open file 'x': <strerror>``) is libvirt's msgid, ``": "``, then the C
    library's text, which the process's own locale already gave.
    """
    cat = catalog()
    if cat is None or not line:
        return line
    if line.endswith("\n"):  # vshError lines that end in a newline of their own
        return tr_line(line[:-1]) + "\n"
    if "\n" in line:  # several lines: each its own msgid
        whole = _match(cat, line)
        return whole[0] if whole else "\n".join(map(tr_line, line.split("\n")))
    found = _match(cat, line)
    if ": " in line:
        head, tail = line.rsplit(": ", 1)
        system = _match(cat, head)
        if system and (found is None or system[1] > found[1]):
            return f"{system[0]}: {tail}"
    return line if found is None else found[0]


def virsh_setlocale(errs) -> None:
    """virsh's first step, ``setlocale(LC_ALL, "")``: when the environment names a locale the system
    lacks, virsh says so (``perror``) and goes on in English."""
    get = os.environ.get
    names = [get("LC_ALL"), get("LANG"), *(v for k, v in os.environ.items() if k.startswith("LC_"))]
    if all(n in _C_NAMES or n is None or n.startswith("C.") for n in names):
        return
    import locale

    global _setlocale_failed, _key
    try:
        locale.setlocale(locale.LC_ALL, "")
    except locale.Error:
        errs.write("setlocale: No such file or directory\n")
        _setlocale_failed, _key = True, None
