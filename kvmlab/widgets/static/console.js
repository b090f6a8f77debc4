// kvmlab's serial console: xterm.js in a notebook output, keystrokes to the kernel, the guest's
// bytes back. XTERM_SOURCE (xterm.js's ESM build, vendored in the package) is prepended by Python.
let xtermModule = null;

async function loadXterm() {
  if (xtermModule === null) {
    const url = URL.createObjectURL(new Blob([XTERM_SOURCE], { type: "text/javascript" }));
    try {
      xtermModule = await import(url);
    } finally {
      URL.revokeObjectURL(url);
    }
  }
  return xtermModule;
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export default {
  async render({ model, el }) {
    const { Terminal } = await loadXterm();
    el.classList.add("kvmlab-console");
    const bar = element("div", "kvmlab-console-bar");
    const title = element("span", "kvmlab-console-title", model.get("title"));
    const status = element("span", "kvmlab-console-status", model.get("status"));
    const connect = element("button", "kvmlab-console-connect", "Connect");
    connect.title = "open the console again (virsh console NAME)";
    bar.append(title, status, connect);
    const box = element("div", "kvmlab-console-term");
    el.append(bar, box);

    const term = new Terminal({
      cols: model.get("cols"),
      rows: model.get("rows"),
      cursorBlink: true,
      scrollback: 2000,
      fontFamily: "monospace",
      fontSize: 13,
    });
    term.open(box);
    box.dataset.connected = String(model.get("connected"));

    const onMsg = (msg) => {
      if (msg && msg.type === "output") term.write(msg.data);
      // in band (ESC c, a full reset), not term.reset(): that acts at once, while writes queued before
      // it are drawn later, so a line sent before the replay landed on top of the replayed transcript
      if (msg && msg.type === "reset") term.write("\x1bc");
    };
    model.on("msg:custom", onMsg);
    const onStatus = () => {
      status.textContent = model.get("status");
      box.dataset.connected = String(model.get("connected"));
      connect.disabled = model.get("connected") || !model.get("can_connect");
    };
    model.on("change:status", onStatus);
    model.on("change:connected", onStatus);
    model.on("change:can_connect", onStatus);
    onStatus();
    const typing = term.onData((data) => model.send({ type: "input", data }));
    connect.addEventListener("click", () => model.send({ type: "connect" }));
    // what the guest printed before this view existed (a re-run cell, a reloaded page)
    model.send({ type: "replay" });

    return () => {
      typing.dispose();
      model.off("msg:custom", onMsg);
      model.off("change:status", onStatus);
      model.off("change:connected", onStatus);
      model.off("change:can_connect", onStatus);
      term.dispose();
    };
  },
};
