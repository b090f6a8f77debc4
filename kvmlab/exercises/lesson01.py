"""Lesson 1 checks: the tools (KVM管理工具) and the layers a call travels through.

- :func:`check_layers`: which layer printed each error message?
- :func:`check_three_ways`: the shut-off domains listed three ways: a virsh line (run on your connection),
  a kvmlab call and a libvirt-python call, each with an option or a flag the lesson does not show.
- :func:`check_python_to_virsh`: the virsh line for a libvirt-python call (``dom.create()`` is virsh's
  ``start``, not ``create``); the line runs on your connection and libvirt is asked the domain's state.

A failure first names the idea (``hint``), then, the second time, the lesson section or command to
look at (``pointer``); only ``show_answer("1.N")`` gives the code.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import libvirt

from ..errors import KvmlabError, libvirt_errors
from ..i18n import N_, _
from .checks import ExerciseFailed, Passed, choose, expect, run_line
from .checks import virsh_line as parse_line
from .ladder import graded
from .lesson08 import state_of, state_text

__all__ = ["LAYERS", "MESSAGES", "CONTEXT", "TEST_DRIVER_C", "SCRIPT", "check_layers", "check_three_ways",
           "check_python_to_virsh"]  # fmt: skip

LAYERS = ("virsh", "libvirt", "libvirtd", "QEMU", "KVM")

# Real messages, each printed by a different layer, none of them shown in lesson 1 as it stands here (A, B and D
# were captured on Debian 12, libvirt 9.0, QEMU 7.2; A is virsh's usage check, B is virsh's second error line when
# nothing listens on the daemon's socket; D is QEMU's second line when the user may not open /dev/kvm (its first,
# from kvm_init() in accel/kvm/kvm-all.c, has no program name: "Could not access KVM kernel module: Permission
# denied"); C is the network
# driver's text in a real daemon, libvirt's src/network/bridge_driver.c, networkStartNetwork(); E is the kvm
# module's line in the kernel log of Linux 5.16 to 6.2, Debian 12's 6.1 among them: arch/x86/kvm/x86.c,
# kvm_arch_init(), "kvm: support for '%s' disabled by bios". Before 5.16 it read "kvm: disabled by bios";
# since 6.3 kvm_intel says "VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU N"). These are the English texts
# (LANG=C): virsh and libvirt translate their messages, so with libvirt's translations installed (Debian:
# libvirt-l10n) and LANG=zh_CN.UTF-8 the lines of A, B and C come out in Chinese where a translation exists.
MESSAGES = {
    "A": "error: command 'start' requires <domain> option",
    "B": "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
    "C": "error: Requested operation is not valid: network is already active",
    "D": "qemu-system-x86_64: failed to initialize kvm: Permission denied",
    "E": "kvm: support for 'kvm_intel' disabled by bios",
}

# Where each message was seen, so the question is fair.
CONTEXT = {
    "A": "`virsh start`, typed without a domain",
    "B": "`virsh -c qemu:///system list` when neither libvirtd nor its socket units run (`systemctl stop "
    "libvirtd.service libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket`; with the sockets still "
    "listening, systemd would start the daemon again), second error line",
    "C": "`virsh -c qemu:///system net-start default` (a real libvirtd), second error line",
    "D": "`qemu-system-x86_64 -enable-kvm -m 512 -display none` typed by a user who is not in the group kvm "
    "(/dev/kvm is crw-rw---- root:kvm), second line; the first reads 'Could not access KVM kernel module: "
    "Permission denied'",
    "E": "`dmesg` after `modprobe kvm_intel` on a Debian 12 host (Linux 6.1) whose firmware has VT-x switched off",
}

# The same failure on the embedded lab: libvirt's test driver (src/test/test_driver.c) words it differently.
TEST_DRIVER_C = "error: Requested operation is not valid: Network 'default' is already running"

_ANSWER = {"A": "virsh", "B": "libvirt", "C": "libvirtd", "D": "QEMU", "E": "KVM"}

_WHY = N_({
    "A": "virsh checks a command's arguments before it connects: a line without its <domain> never leaves virsh",
    "B": "the library's remote driver (inside the virsh process) tried the daemon's socket",
    "C": "the daemon's network driver holds the network's state and refused (the embedded lab's test driver "
    "says the same in other words: Network 'default' is already running)",
    "D": "QEMU could not open /dev/kvm (the kernel refused this user by the file's permissions) and says so under "
    "its own name; KVM itself was never reached",
    "E": "the kvm kernel module found the CPU's virtualisation extensions disabled (the words depend on the "
    "kernel: 'kvm: disabled by bios' before 5.16, 'kvm_intel: VMX not enabled (by BIOS) …' since 6.3)",
})

# (message, wrong layer) -> why that layer did not print it: the diagnosis, in the failure's message.
_NOT_BY = N_({
    ("A", "libvirt"): "nothing reached libvirt: the line lacks the domain that start needs, and it was rejected "
    "before any connection was opened",
    ("A", "libvirtd"): "no request was sent to any daemon: a line without the argument its command needs is "
    "rejected before any connection",
    ("A", "QEMU"): "QEMU was never involved: its lines start with 'qemu-system-x86_64:', and a management "
    "command's own usage never reaches a VM",
    ("A", "KVM"): "KVM writes to the kernel log, never to your terminal: this line came back where the "
    "command was typed",
    ("B", "virsh"): "virsh only called virConnectOpen(); the socket path and the connect() belong to the code "
    "it is linked with",
    ("B", "libvirtd"): "nothing listens on the daemon's socket (neither libvirtd nor systemd's socket unit): "
    "that is why the connect() failed, and the daemon printed nothing",
    ("B", "QEMU"): "no VM was involved: listing domains never reaches QEMU, and its lines start with its name",
    ("B", "KVM"): "the kernel module writes to the kernel log; this error is about a socket file of the "
    "management stack",
    ("C", "virsh"): "virsh's own line comes first ('Failed to start network default'); this second line is "
    "the reason it got back",
    ("C", "libvirt"): "the library only carried the call over the socket; 'already active' is known where the "
    "network's state lives",
    ("C", "QEMU"): "a QEMU process runs one VM; a virtual network is not one of its objects",
    ("C", "KVM"): "KVM runs vCPUs; it knows nothing of virtual networks",
    ("D", "virsh"): "virsh was not used: the program was typed by hand, and the line starts with another "
    "program's name",
    ("D", "libvirt"): "no libvirt client was involved: the program was started by hand",
    ("D", "libvirtd"): "libvirtd starts QEMU itself and would relay this as 'internal error: process exited …', "
    "but here the program was started by hand and the line starts with the name of the program that wrote it",
    ("D", "KVM"): "the line is about kvm, but KVM writes only to the kernel log; 'Permission denied' is the kernel "
    "refusing this user the file /dev/kvm, and the program that tried to open it wrote the line",
    ("E", "virsh"): "this line is from dmesg, the kernel log: no user-space program wrote it",
    ("E", "libvirt"): "this line is from dmesg, the kernel log: a library in a client process cannot write there",
    ("E", "libvirtd"): "this line is from dmesg, the kernel log: the daemon logs to its own journal, not there",
    ("E", "QEMU"): "QEMU's messages start with 'qemu-system-x86_64:'; this one is in the kernel log, written "
    "when a kernel module loaded",
})

# The idea behind each message (rung 1) and where the lesson shows it (rung 2).
_CONCEPT = N_({
    "A": "a command-line program reads and checks the whole line, the command and its arguments, before it does "
    "anything else: a line it cannot complete is never sent anywhere",
    "B": "a client library runs inside the client's own process: it, not the program that called it, opens "
    "the connection to a daemon",
    "C": "the driver that owns an object holds its state and refuses what does not fit it; on qemu:///system "
    "look for the process that holds the network driver",
    "D": "each program names itself at the start of its own error lines, whatever the error is about",
    "E": "a kernel module writes to the kernel log (dmesg), not to a terminal",
})
_POINTER = N_({
    "A": "lesson 1, 'How a call travels', step 1 (virsh parses the command line), and virsh's own voice in "
    "'Who printed that error?'",
    "B": "lesson 1, 'How a call travels', step 2: the remote driver and the Unix socket",
    "C": "lesson 1, 'Who printed that error?': virsh's own line first, then the reason from the network driver",
    "D": "the first word of message D, and lesson 1, 'How a call travels', step 4: which layer opens /dev/kvm",
    "E": "lesson 1, 'How a call travels', step 5, and the note on dmesg after 'Who printed that error?'",
})


@graded("1.1", answer='''layers = {
    "A": "virsh",     # its own parser: start lacks its <domain>, nothing was sent
    "B": "libvirt",   # the library's remote driver, inside the virsh process, found no socket
    "C": "libvirtd",  # the daemon's network driver knows the network is running
    "D": "QEMU",      # the line starts with the program's name (it could not open /dev/kvm)
    "E": "KVM",       # the kernel log: the kvm module found VT-x/AMD-V disabled
}''')
def check_layers(answers: Mapping[str, str]) -> Passed:
    """``answers`` maps each message letter (A-E) to the layer that printed it (one of LAYERS)."""
    expect(isinstance(answers, Mapping), _("answers must be a dict like {example}").format(example="{'A': 'virsh', …}"),
           hint=_("one key per message letter: ") + ", ".join(MESSAGES))
    wrong = []
    for letter in MESSAGES:
        layer = choose(answers.get(letter), LAYERS, what=_("message {letter}").format(letter=letter))
        if layer != _ANSWER[letter]:
            wrong.append((letter, layer))
    if wrong:
        letter, layer = wrong[0]
        others = (_(" (also check {letters})").format(letters=", ".join(w[0] for w in wrong[1:]))
                  if len(wrong) > 1 else "")
        raise ExerciseFailed(
            _("{n} of {total} not right: message {letter} was not printed by {layer}{others}: ").format(
                n=len(wrong), total=len(MESSAGES), letter=letter, layer=layer, others=others)
            + _(_NOT_BY[(letter, layer)]),
            hint=_(_CONCEPT[letter]), pointer=_(_POINTER[letter]))
    return Passed(_("every message traced to its layer"), *(f"{k} {_ANSWER[k]}: {_(_WHY[k])}" for k in MESSAGES))


# `virsh -c URI …` / `virsh --connect URI …`: the URI picks the host, not the action.
_CONNECT = re.compile(r"\s*virsh\s+(?:(?:-c|--connect)\s+\S+|--connect=\S+)(?=\s|$)")


def _learner_line(line: object, example: str) -> tuple[Any, str]:
    """The learner's line parsed as virsh does, and the URI it named ("" for none)."""
    uri = ""
    if isinstance(line, str) and (m := _CONNECT.match(line)):
        words = m.group(0).split()
        uri = words[1].partition("=")[2] if words[1].startswith("--connect=") else words[2]
        line = "virsh" + line[m.end():]
    return parse_line(line, example), uri


def _shown(table: Any) -> list[str]:
    """The names in a domain table, as printed (the Name column)."""
    return sorted(row[1] for row in table.rows)


def _names_of(conn: Any, flags: int) -> list[str]:
    with libvirt_errors():
        return sorted(d.name() for d in conn.virconn.listAllDomains(flags))


# The virsh list options that pick domains by state, and what each lists instead of the shut-off ones.
_STATE_OPTIONS = N_({
    "state-running": "--state-running lists the running domains",
    "state-paused": "--state-paused lists the paused domains",
    "state-other": "--state-other lists the domains in any other state (crashed, pmsuspended …)",
})
_FILTER = N_("virsh list filters domains by state: without an option it shows the running (and paused) ones, and "
           "one option shows only the domains that are not running")
_HELP_LIST = 'print(conn.virsh("help list")) (virsh help list)'
_FLAGS = N_("listAllDomains' flags filter the list: 0 is no filter, and each VIR_CONNECT_LIST_DOMAINS_* flag keeps one kind")


@graded("1.2", answer='''import libvirt

virsh_line = "virsh list --inactive"      # or --state-shutoff
result = conn.list(inactive=True)
names = [dom.name() for dom in conn.virconn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)]''')
def check_three_ways(conn, virsh_line: str, result, names: Sequence[str]) -> Passed:
    """List only the shut-off domains (defined, not running), three ways.

    Args:
        conn: the kvmlab Connection the notebook uses.
        virsh_line: the virsh command line, as a string (``"virsh …"``). It is parsed as virsh does and
            runs on ``conn``.
        result: what the kvmlab call returned.
        names: the domain names from a libvirt-python call on ``conn.virconn``.
    """
    from ..ops.result import Table

    inv, uri = _learner_line(virsh_line, "virsh COMMAND --OPTION")
    expect(inv.command.name == "list", _("`{command}` is not the command that lists domains").format(
           command=inv.command.name),
           hint=_("virsh has roughly one command per API call; listing domains is one of them"),
           pointer=_("the seed's section 8 starts with it (lesson 1, 'One action, three ways')"))
    values = inv.values
    expect(not values.get("all"), _("--all lists every domain, the running ones too; the task asks for the "
           "shut-off ones only"), hint=_(_FILTER), pointer=_HELP_LIST + _(": the option for the inactive domains"))
    for option, lists in _STATE_OPTIONS.items():
        expect(not values.get(option), _("{lists}, not the shut-off ones").format(lists=_(lists)), hint=_(_FILTER),
               pointer=_HELP_LIST + _(": the option for the inactive domains (or the state filter for shut off)"))
    expect(values.get("inactive") or values.get("state-shutoff"),
           _("without an option, virsh list shows only running (and paused) domains: the opposite of the task"),
           hint=_("a shut-off domain is still defined: libvirt keeps it, but a plain list leaves it out"),
           pointer=_HELP_LIST + _(" shows the option that lists only the domains that are not running"))
    ran = run_line(conn, inv)

    every = _names_of(conn, 0)
    running = _names_of(conn, libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
    off = _names_of(conn, libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)

    expect(result is not None, _("result: no answer yet"), hint=_("result = the kvmlab call on conn that is the "
           "twin of your virsh line"), untried=True)
    expect(isinstance(result, Table), _("result is not what a kvmlab operation returns"),
           hint=_("each kvmlab operation on the connection is the twin of one virsh command, and returns a result"),
           pointer=_("conn.list (lesson 1, '2. kvmlab'); keep its return value"))
    if _shown(result) != off:
        what = {tuple(every): _("every domain"), tuple(running): _("the running (and paused) domains")}.get(
            tuple(_shown(result)), f"{_shown(result)}")
        raise ExerciseFailed(_("your kvmlab call is the twin of `{virsh}`: it lists {what}").format(
                             virsh=result.virsh, what=what),
                             hint=_("the kvmlab twin takes the same choice as the virsh option, as a keyword"),
                             pointer=_("help(conn.list): the keyword that is virsh's option for the inactive domains"))

    expect(not isinstance(names, str), _("names should be a list of names, not one string"),
           hint=_("one name per domain, in a list"),
           pointer=_("conn.virconn.listAllDomains() (lesson 1, '3. libvirt-python')"))
    names = list(names)
    expect(all(isinstance(n, str) for n in names), _("names holds objects, not names"),
           hint=_("listAllDomains() returns virDomain objects: each knows its own name"),
           pointer=_("dom.name() of each (lesson 1, '3. libvirt-python')"))
    got = sorted(names)
    if got != off:
        if got == every:
            why = _("your libvirt call returned every domain: flags=0 keeps them all")
        elif got == running:
            why = _("your libvirt call returned the running domains (VIR_CONNECT_LIST_DOMAINS_ACTIVE)")
        else:
            why = _("libvirt holds {off} shut off, your list is {got}").format(off=off, got=got)
        raise ExerciseFailed(why, hint=_(_FLAGS),
                             pointer=_("the libvirt.VIR_CONNECT_LIST_DOMAINS_* flags (lesson 1 prints two of them in "
                                       "result.api; help(libvirt.virConnect.listAllDomains))"))  # fmt: skip
    expect(_shown(ran) == off,
           _("the virsh line lists {ran}, the kvmlab result {result}, libvirt holds {off}").format(
               ran=_shown(ran), result=_shown(result), off=off),
           hint=_("the three ways agree only when they ask the same lab at the same moment"),
           pointer=_("use conn for the kvmlab call, in the same cell"))
    where = _(" (-c {uri} picks a host; the check used yours)").format(uri=uri) if uri else ""
    return Passed(_("three ways, one answer"),
                  _("virsh {line}: ran on your connection{where}, {n} rows").format(
                      line=inv.line, where=where, n=len(_shown(ran))),
                  _("kvmlab: the twin of `{virsh}`").format(virsh=result.virsh),
                  _("libvirt-python: conn.virconn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)"),
                  _("{n} shut off: {names} (of {total} defined)").format(
                      n=len(off), names=', '.join(off) or _('none'), total=len(every)))


# The colleague's script of exercise 1.3: one libvirt-python call, whose virsh twin the learner writes.
SCRIPT = "conn.virconn.lookupByName('{name}').create()"

# What each other domain command does instead of virDomainCreate (booting a defined, shut-off domain).
_NOT_CREATE = N_({
    "create": "virsh create FILE makes a new domain from an XML file and starts it (virDomainCreateXML, a "
    "transient domain); it does not boot one that is already defined",
    "define": "virsh define FILE registers a domain from an XML file (virDomainDefineXML); it boots nothing",
    "resume": "resume continues a paused domain (virDomainResume); a shut-off domain has nothing to resume",
    "reboot": "reboot asks a running guest to restart (virDomainReboot); a shut-off domain runs no guest",
    "dominfo": "dominfo only reads a domain's information (virDomainGetInfo); the script boots it",
    "list": "list only lists domains (virConnectListAllDomains)",
    "shutdown": "shutdown asks a running guest to power off (virDomainShutdown): the opposite",
    "destroy": "destroy forces a running domain off (virDomainDestroy): the opposite",
    "suspend": "suspend pauses a running domain (virDomainSuspend)",
    "undefine": "undefine deletes a domain's definition (virDomainUndefine)",
    "edit": "edit changes a domain's definition; it boots nothing",
    "dumpxml": "dumpxml prints a domain's XML (virDomainGetXMLDesc)",
})


@graded("1.3", answer='line = "virsh start $name"   # dom.create() is virDomainCreate: virsh start boots a defined domain')
def check_python_to_virsh(conn: Any, line: object, name: str = "backup") -> Passed:
    """``line``: the virsh twin of ``SCRIPT`` for ``name``. Parsed as virsh does, then run on ``conn``."""
    inv = parse_line(line, "virsh COMMAND backup")
    cmd = inv.command.name
    if cmd != "start":
        raise ExerciseFailed(
            _("`{command}` is not the twin of dom.create(): ").format(command=cmd)
            + (_(_NOT_CREATE[cmd]) if cmd in _NOT_CREATE
               else _("`virsh {command}` is a different API call").format(command=cmd)),
            hint=_("dom.create() is the API call virDomainCreate: it boots a domain that is defined and shut "
                   "off. An API call and its virsh command need not share a name"),
            pointer=_("lesson 1, 'How a call travels', step 1: the virsh command that calls virDomainCreate()"))
    target = str(inv.values.get("domain"))
    try:
        real = conn.dominfo(target).name  # virsh's lookup: an id or a UUID names a domain too
    except KvmlabError as err:
        raise ExerciseFailed(_("virsh says: error: {message}{same}").format(message=err.message, same=""),
                             hint=err.hint) from None
    expect(real == name, (_("the line names '{name}'").format(name=real) if real == target
                          else _("'{target}' is {name}").format(target=target, name=real)),
           hint=_("the script boots '{name}'").format(name=name), pointer=_("name '{name}' on the line").format(name=name))
    expect(not inv.values.get("paused"), _("--paused boots it with its vCPUs stopped (the START_PAUSED flag); "
           "dom.create() without flags lets the guest run"),
           hint=_("the script's call takes no flags: the domain boots and runs"),
           pointer=_("drop the option that leaves the guest paused"))
    before = state_of(conn, name)
    if before and before[0] == libvirt.VIR_DOMAIN_RUNNING:
        return Passed(_("'{name}' is already running: this line (or the script) ran before").format(name=name),
                      _("dom.state() = {state}").format(state=state_text(before)),
                      _("run again, virsh would say: error: Domain is already active"))
    result = run_line(conn, inv)
    st = state_of(conn, name)
    expect(st and st[0] == libvirt.VIR_DOMAIN_RUNNING,
           _("'{target}' is {name}").format(target=name, name=state_text(st) if st else _("gone")),
           hint=_("start should have booted it"))
    return Passed(_("virsh {line}: the twin of {script}").format(line=inv.line, script=SCRIPT.format(name=name)),
                  _("{result}  (libvirt calls: {calls})").format(result=str(result).strip(), calls='; '.join(result.api)),
                  _("dom.state() = {state}").format(state=state_text(st)),
                  _("same call, two names: virsh start is virDomainCreate; virsh create is virDomainCreateXML"))
