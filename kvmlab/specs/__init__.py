"""Typed XML specs for libvirt, validated three ways: crash guard, teaching checks, libvirt's schemas.

::

    from kvmlab.specs import DomainSpec
    vm = DomainSpec(name="vm1", memory="512MiB", vcpus=2)
    vm.add_disk("/var/lib/libvirt/images/vm1.qcow2")
    vm.validate()                     # raises SpecError listing every problem
    xml = vm.to_xml()                 # `virsh define` input; DomainSpec.from_xml(xml) == vm

Modules: one spec per module (domain, devices, network, pool, volume) on a small declarative
base (xmlobject); parser (the one safe lxml parser); values (numbers read as libvirt reads
them); rng (libvirt's RelaxNG schemas, explained by rng_index and rng_types); checks_*
(teaching checks); guard (values that would crash libvirt 9.0); validate (all in one call).
"""

from .devices import DiskSpec, InterfaceSpec
from .domain import DomainSpec
from .guard import guard_xml
from .network import DhcpHost, DhcpRange, IpSpec, NetworkSpec
from .parser import xml_parser
from .pool import PoolSpec
from .problems import Problem
from .validate import check_xml, validate_xml
from .volume import VolumeSpec

__all__ = [
    "DomainSpec",
    "DiskSpec",
    "InterfaceSpec",
    "NetworkSpec",
    "IpSpec",
    "DhcpRange",
    "DhcpHost",
    "PoolSpec",
    "VolumeSpec",
    "Problem",
    "check_xml",
    "validate_xml",
    "guard_xml",
    "xml_parser",
]
