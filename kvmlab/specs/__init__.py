"""Typed XML specs for libvirt, validated three ways: crash guard, teaching checks, libvirt's schemas.

::

    from kvmlab.specs import DomainSpec
    vm = DomainSpec(name="vm1", memory="512MiB", vcpus=2)
    vm.add_disk("/var/lib/libvirt/images/vm1.qcow2")
    vm.validate()                     # raises SpecError listing every problem
    xml = vm.to_xml()                 # `virsh define` input; DomainSpec.from_xml(xml) == vm

Modules: one spec per module (domain, devices, network, pool, volume, snapshot) on a small declarative
base (xmlobject); parser (the one safe lxml parser); values (numbers read as libvirt reads
them); rng (libvirt's RelaxNG schemas, explained by rng_index and rng_types); checks_*
(teaching checks); guard (values that would crash libvirt 9.0); validate (all in one call).
"""

import importlib as _importlib

# name -> the module that defines it; loaded on first use (PEP 562), so importing one submodule
# (the parser, say) does not load every spec and libvirt's schema index
_WHERE = {
    "DomainSpec": "domain",
    "DiskSpec": "devices",
    "InterfaceSpec": "devices",
    "NetworkSpec": "network",
    "IpSpec": "network",
    "DhcpRange": "network",
    "DhcpHost": "network",
    "PoolSpec": "pool",
    "VolumeSpec": "volume",
    "SnapshotSpec": "snapshot",
    "Problem": "problems",
    "check_xml": "validate",
    "validate_xml": "validate",
    "guard_xml": "guard",
    "xml_parser": "parser",
}

__all__ = list(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kvmlab.specs' has no attribute {name!r}")  # i18n: not shown (Python's own wording)
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
