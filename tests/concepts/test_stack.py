"""kvmlab.concepts.stack: lesson 1's figure of one call going down six layers."""

import pytest

from kvmlab.concepts import stack


def test_the_figure_draws_one_box_per_layer_and_one_label_per_link():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    ax = stack.plot_stack().axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert len(ax.patches) == len(stack.LAYERS) == 6
    assert all(name in texts for name, _, _ in stack.LAYERS)
    assert all(link in texts for link in stack.LINKS) and len(stack.LINKS) == len(stack.LAYERS) - 1
    assert any("embedded lab" in t for t in texts) and any("real lab" in t for t in texts)
