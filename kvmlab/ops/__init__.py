"""virsh-equivalent operations on libvirt-python, mixed into kvmlab.Connection."""

from .result import Fields, Message, Result, Table, Xml

__all__ = ["Result", "Message", "Table", "Fields", "Xml"]
