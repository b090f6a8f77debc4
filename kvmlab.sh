#!/usr/bin/env bash
# kvmlab's two commands for a newcomer, on Debian 12 / Ubuntu, as root or a sudoer:
#   ./kvmlab.sh course   set up, then open the course in JupyterLab (embedded backend)
#   ./kvmlab.sh course zh  the same, with JupyterLab's menus in Chinese (language pack zh_CN)
#   ./kvmlab.sh test     set up, then run every test (unit, conformance, real lab, notebooks)
#   ./kvmlab.sh setup    set up only
# A re-run installs nothing twice: apt packages are checked with dpkg, the venv by a stamp.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
mode=${1:-course}
shift || true

say() { printf '\033[1m[kvmlab]\033[0m %s\n' "$*" >&2; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  say "apt packages need root: run as root or install sudo"; exit 1
fi

# Debian packages: build deps for libvirt-python, real virsh for conformance, schemas, the real lab
# (bridge-utils: lesson 5 shows `brctl show` beside `ip`/`bridge`), and virt-manager on a virtual
# X display (Xvfb) for lesson 1's screenshots (fonts and icons come as deps); libvirt's message
# catalogs (libvirt-l10n) and locales, so virsh and `kvmlab virsh` speak Chinese under zh_CN.UTF-8.
APT_PACKAGES=(
  python3 python3-venv python3-dev gcc pkg-config libvirt-dev
  libvirt-clients libxml2-utils
  libvirt-daemon-system libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils
  dnsmasq-base iptables iproute2 bridge-utils busybox-static linux-image-amd64 kmod xz-utils cpio
  openssh-server openssh-client netcat-openbsd strace
  virtinst xorriso  # lesson 17: virt-install, and the NoCloud seed ISO
  virt-manager xvfb
  libvirt-l10n locales fonts-wqy-microhei  # Chinese: virsh's catalog, zh_CN.UTF-8, a CJK font for plots
  python3-libvirt  # `kvmlab classroom`: the learners' venv (system python3) takes libvirt from here
)
[ "$mode" = test ] && APT_PACKAGES+=(chromium)  # the browser test

apt_setup() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then say "apt packages: all present"; return; fi
  say "installing apt packages: ${missing[*]}"
  # policy-rc.d-style containers refuse service starts; kvmlab starts its own daemons.
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# virsh in Chinese needs the zh_CN.UTF-8 locale generated: Debian's locale-gen builds what
# /etc/locale.gen enables; Ubuntu's also takes the name. Nothing happens when it is there already.
ZH_LOCALE=zh_CN.UTF-8
has_zh_locale() { locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'; }
locale_setup() {
  if has_zh_locale; then say "locale $ZH_LOCALE: present"; return; fi
  say "generating the $ZH_LOCALE locale"
  if [ -f /etc/locale.gen ] && ! grep -q "^$ZH_LOCALE UTF-8" /etc/locale.gen; then
    if grep -q "^# *$ZH_LOCALE UTF-8" /etc/locale.gen; then
      "${SUDO[@]}" sed -i "s/^# *\($ZH_LOCALE UTF-8\)/\1/" /etc/locale.gen
    else
      echo "$ZH_LOCALE UTF-8" | "${SUDO[@]}" tee -a /etc/locale.gen >/dev/null
    fi
  fi
  "${SUDO[@]}" locale-gen >/dev/null 2>&1 || true
  has_zh_locale || "${SUDO[@]}" locale-gen "$ZH_LOCALE" >/dev/null 2>&1 || true
  has_zh_locale || { say "the $ZH_LOCALE locale could not be generated (virsh in Chinese needs it)"; exit 1; }
}

pick_python() {
  for py in python3.12 python3.11 python3.10 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys, venv; assert sys.version_info >= (3, 10)' 2>/dev/null; then
      echo "$py"; return
    fi
  done
  say "no Python >= 3.10 with venv found"; exit 1
}

venv_setup() {
  local stamp=.venv/.kvmlab-stamp want
  want=$(cat pyproject.toml 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "venv: up to date (.venv)"; return
  fi
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    py=$(pick_python)
    "$py" -m venv .venv || { say "venv failed once; retrying"; rm -rf .venv; "$py" -m venv .venv; }
  fi
  say "installing kvmlab (editable) and the course and test tools into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  if ! .venv/bin/python -m pip install --config-settings editable_mode=compat -e ".[course,test,classroom]" >.venv/pip.log 2>&1; then
    tail -40 .venv/pip.log >&2; say "pip failed: the whole log is .venv/pip.log"; exit 1
  fi
  echo "$want" > "$stamp"
}

# xterm.js for the serial-console widget is committed under kvmlab/widgets/static/xterm (vendored from
# the npm registry); a checkout without it fetches it again (npm pack, checked against pinned sums).
xterm_setup() {
  [ -f kvmlab/widgets/static/xterm/xterm.mjs ] && return
  command -v npm >/dev/null 2>&1 || "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  say "fetching xterm.js for the serial-console widget"
  bash scripts/vendor-xterm.sh
}

apt_setup
locale_setup
venv_setup
xterm_setup
say "ready: .venv/bin/kvmlab"

case "$mode" in
  setup) ;;
  course)
    if [ "${1:-}" = zh ]; then
      shift
      # JupyterLab's own language setting, in a settings directory of the course's (the user's is untouched)
      settings=.venv/share/kvmlab/lab-settings-zh
      mkdir -p "$settings/@jupyterlab/translation-extension"
      printf '%s\n' '{"locale": "zh_CN"}' > "$settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
      export JUPYTERLAB_SETTINGS_DIR="$here/$settings"
      # virsh's words (and kvmlab virsh's) in libvirt's own Chinese, as on a Chinese desktop
      export LANG=zh_CN.UTF-8
      unset LC_ALL LC_MESSAGES
      start=notebooks/zh
      say "JupyterLab in Chinese (中文), the Chinese edition, virsh output in Chinese; Settings > Language switches back"
    fi
    .venv/bin/kvmlab doctor || true
    args=(--ip 127.0.0.1 --notebook-dir "$here" --ServerApp.default_url=/lab/tree/${start:-notebooks})
    [ "$(id -u)" -eq 0 ] && args+=(--allow-root)
    say "opening the course (embedded backend; set KVMLAB_URI for another hypervisor)"
    exec .venv/bin/jupyter lab "${args[@]}" "$@"
    ;;
  test)
    exec bash scripts/run-tests.sh "$@"
    ;;
  *) say "usage: ./kvmlab.sh course [zh]|test|setup"; exit 2 ;;
esac
