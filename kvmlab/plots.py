"""matplotlib for kvmlab's figures, set up so Chinese labels draw as characters, not boxes.

matplotlib's default font (DejaVu Sans) has no CJK glyphs. Since 3.6 matplotlib falls back glyph by
glyph along ``font.family``, so kvmlab keeps DejaVu Sans first (English figures are drawn exactly as
before) and puts the first CJK font it finds after it. Debian's package is ``fonts-wqy-microhei`` (the set-up
installs it); Noto's and Source Han's are taken too where a learner's machine has them.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["CJK_FONTS", "FONT_PACKAGE", "configure", "pyplot", "cjk_font"]

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "AR PL UMing CN")
FONT_PACKAGE = "fonts-wqy-microhei"  # Debian's and Ubuntu's: `apt install fonts-wqy-microhei`

_done = False


def cjk_font() -> str | None:
    """The first CJK font matplotlib can find here, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def configure() -> None:
    """Put a CJK fallback font in matplotlib's rcParams (once per process); pyplot is not imported."""
    global _done
    if _done:
        return
    _done = True
    import matplotlib

    font = cjk_font()
    if font:
        # named families, not the generic "sans-serif": the fallback walks font.family's entries,
        # and a generic one resolves to its first installed font only
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", font]
        return
    from .i18n import _, language

    if language() != "en":
        warnings.warn(_("no Chinese font for matplotlib: the figures' Chinese labels will show as boxes; "
                        "install one with `apt install {package}` and restart the kernel").format(
                            package=FONT_PACKAGE), stacklevel=3)


def pyplot() -> Any:
    """``matplotlib.pyplot``, with a CJK fallback font configured (:func:`configure`)."""
    import matplotlib.pyplot as plt

    configure()
    return plt
