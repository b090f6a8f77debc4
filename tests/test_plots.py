"""kvmlab's figures draw Chinese: matplotlib falls back to a CJK font after DejaVu Sans."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

pytest.importorskip("matplotlib")

DRAW = """
import io, warnings
import matplotlib
matplotlib.use("Agg")
{setup}
fig, ax = plt.subplots()
ax.set_title("用户模式与内核模式 (user mode vs kernel mode)")
with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always")
    fig.savefig(io.BytesIO(), format="png")
print(sum("missing from font" in str(w.message) for w in seen))
"""


def _missing_glyph_warnings(setup: str) -> int:
    out = subprocess.run([sys.executable, "-c", DRAW.format(setup=setup)], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip())


def test_a_cjk_font_is_installed_and_found():
    from kvmlab import plots

    assert plots.cjk_font() == "WenQuanYi Micro Hei"  # Debian's fonts-wqy-microhei, from the set-up


def test_chinese_labels_draw_without_missing_glyphs():
    assert _missing_glyph_warnings("import matplotlib.pyplot as plt") > 0  # matplotlib's default: boxes
    assert _missing_glyph_warnings("from kvmlab.plots import pyplot; plt = pyplot()") == 0


def test_english_figures_keep_their_font():
    from kvmlab.plots import pyplot

    plt = pyplot()
    assert plt.rcParams["font.family"] == ["DejaVu Sans", "WenQuanYi Micro Hei"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = plt.subplots()
        ax.set_title("the same guest loop under two accelerators")
        from matplotlib.font_manager import findfont

        assert findfont(ax.title.get_fontproperties()).endswith("DejaVuSans.ttf")
        plt.close(fig)


def test_the_lessons_figures_are_chinese_under_chinese_and_draw_every_glyph():
    import io

    import kvmlab
    from kvmlab.concepts import stack, topology

    kvmlab.set_language("zh")
    try:
        fig = stack.plot_stack()
        net = ("<network><name>default</name><forward mode='nat'/><bridge name='virbr0'/>"
               "<ip address='192.168.122.1' netmask='255.255.255.0'/></network>")
        topo_fig = topology.draw(net)
    finally:
        kvmlab.set_language(None)
    assert fig.axes[0].get_title().startswith("一次调用，六层")
    assert "不转发" not in topo_fig.axes[0].get_title() and "模式" in topo_fig.axes[0].get_title()
    for figure in (fig, topo_fig):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            figure.savefig(io.BytesIO(), format="png")
        assert [str(w.message) for w in seen if "missing from font" in str(w.message)] == []
    assert stack.plot_stack().axes[0].get_title().startswith("one call, six layers")  # English again
