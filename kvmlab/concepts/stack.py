"""One call down the stack: virsh -> libvirt -> libvirtd -> QEMU -> KVM -> CPU, as lesson 1 draws it.

    >>> from kvmlab.concepts import stack
    >>> stack.plot_stack()     # a matplotlib figure: six layers, the links between them, and where each lab stops
"""

from __future__ import annotations

__all__ = ["LAYERS", "LINKS", "plot_stack"]

from ..i18n import N_, _

LAYERS = N_([  # (name, what it does, where it runs)
    ("virsh  |  virt-manager  |  kvmlab, your Python", "clients: command line, GUI, library", "your process"),
    ("libvirt  (libvirt.so)", "the API; picks a driver from the URI", "inside the client"),
    ("libvirtd", "daemon: qemu driver, networks, storage pools", "user space (root)"),
    ("QEMU  (qemu-system-x86_64)", "one process per VM: memory, devices = I/O", "user space"),
    ("KVM  (/dev/kvm)", "kernel module: CPU and memory virtualisation", "kernel mode"),
    ("CPU with VT-x / AMD-V", "runs the guest's instructions", "hardware"),
])
# what passes from each layer to the one below it
LINKS = N_(["function call: virDomainCreate()", "RPC over /run/libvirt/libvirt-sock",
            "starts it; QMP commands (JSON)", "ioctl(KVM_RUN) per vCPU", "VM entry / VM exit"])  # fmt: skip
_COLORS = ["#dde8f5", "#dde8f5", "#e3f0dc", "#fbe5d6", "#f4d6d6", "#eeeeee"]


def _bracket(ax, x: float, top: float, bottom: float, color: str, label: str) -> None:
    """A bracket beside the layers a lab goes through, with its label."""
    ax.plot([x - 0.15, x, x, x - 0.15], [top, top, bottom, bottom], color=color, lw=1.5)
    ax.text(x + 0.12, (top + bottom) / 2, label, fontsize=9, color=color, va="center")


def plot_stack():
    """The six layers one call goes through, and how far down the embedded and the real lab go."""
    from matplotlib.patches import FancyBboxPatch

    from ..plots import pyplot

    plt = pyplot()

    fig, ax = plt.subplots(figsize=(11, 7))
    ax.set_xlim(0, 11.6)
    ax.set_ylim(-0.1, len(LAYERS) * 1.2)
    ax.axis("off")
    ys = [(len(LAYERS) - 1 - i) * 1.2 for i in range(len(LAYERS))]  # bottom of each box
    for i, ((name, what, where), color, y) in enumerate(zip(LAYERS, _COLORS, ys)):
        ax.add_patch(FancyBboxPatch((0.2, y + 0.05), 5.9, 0.72, boxstyle="round,pad=0.03", fc=color, ec="#555"))
        ax.text(0.4, y + 0.55, _(name), fontsize=11, weight="bold", va="center")
        ax.text(0.4, y + 0.25, _(what), fontsize=9, va="center", color="#333")
        ax.text(6.3, y + 0.41, _(where), fontsize=9, va="center", style="italic", color="#555")
        if i < len(LINKS):  # arrow from this box's bottom to the next box's top
            ax.annotate("", xy=(1.0, ys[i + 1] + 0.8), xytext=(1.0, y + 0.02),
                        arrowprops=dict(arrowstyle="-|>", color="#333", lw=1.5))  # fmt: skip
            ax.text(1.2, (y + ys[i + 1] + 0.8) / 2, _(LINKS[i]), fontsize=8.5, va="center", color="#333")
    _bracket(ax, 8.0, ys[0] + 0.8, ys[1] + 0.05, "#070", _("embedded lab\n(test driver):\nstops here"))
    _bracket(ax, 9.9, ys[0] + 0.8, ys[-1] + 0.05, "#a00", _("real lab\n(qemu:///system):\nall the way\ndown"))
    ax.set_title(_("one call, six layers: virsh → libvirt → libvirtd → QEMU → KVM → CPU"), fontsize=12)
    plt.close(fig)  # returned, not also drawn by pyplot: a notebook shows it once
    return fig
