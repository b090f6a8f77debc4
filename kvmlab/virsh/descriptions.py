"""virsh's DESCRIPTION paragraphs for the commands kvmlab runs, for `help COMMAND`."""

from __future__ import annotations

__all__ = ["DESCRIPTIONS"]

# virsh's DESCRIPTION paragraphs (tools/virsh-*.c, the "desc" info), line breaks as virsh prints them
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    'create': ('Create a domain.',),
    'define': ('Define a domain.',),
    'destroy': ('Forcefully stop a given domain, but leave its resources intact.',),
    'dominfo': ('Returns basic information about the domain.',),
    'dumpxml': ('Output the domain information as an XML dump to stdout.',),
    'edit': ('Edit the XML configuration for a domain.',),
    'help': ('Prints global help, command specific help, or help for a', 'group of related commands'),
    'list': ('Returns list of domains.',),
    'net-autostart': ('Configure a network to be automatically started at boot.',),
    'net-create': ('Create a network.',),
    'net-define': ('Define or modify a persistent virtual network.',),
    'net-destroy': ('Forcefully stop a given network.',),
    'net-dumpxml': ('Output the network information as an XML dump to stdout.',),
    'net-info': ('Returns basic information about the network',),
    'net-list': ('Returns list of networks.',),
    'net-start': ('Start a network.',),
    'net-undefine': ('Undefine the configuration for a persistent network.',),
    'pool-autostart': ('Configure a pool to be automatically started at boot.',),
    'pool-build': ('Build a given pool.',),
    'pool-create': ('Create a pool.',),
    'pool-define': ('Define or modify a persistent storage pool.',),
    'pool-delete': ('Delete a given pool.',),
    'pool-destroy': ('Forcefully stop a given pool. Raw data in the pool is untouched',),
    'pool-dumpxml': ('Output the pool information as an XML dump to stdout.',),
    'pool-edit': ('Edit the XML configuration for a storage pool.',),
    'pool-info': ('Returns basic information about the storage pool.',),
    'pool-list': ('Returns list of pools.',),
    'pool-start': ('Start a pool.',),
    'pool-undefine': ('Undefine the configuration for an inactive pool.',),
    'reboot': ('Run a reboot command in the target domain.',),
    'resume': ('Resume a previously suspended domain.',),
    'shutdown': ('Run shutdown in the target domain.',),
    'start': ('Start a domain, either from the last managedsave', 'state, or via a fresh boot if no managedsave state', 'is present.'),
    'suspend': ('Suspend a running domain.',),
    'undefine': ('Undefine an inactive domain, or convert persistent to transient.',),
    'vol-clone': ('Clone an existing volume within the parent pool.',),
    'vol-create-as': ('Create a vol.',),
    'vol-delete': ('Delete a given vol.',),
    'vol-download': ('Download volume contents to a file',),
    'vol-dumpxml': ('Output the vol information as an XML dump to stdout.',),
    'vol-info': ('Returns basic information about the storage vol.',),
    'vol-list': ('Returns list of vols by pool.',),
    # virsh indents only the start of a description: its second line here starts at the margin
    'vol-resize': ('Resizes a storage volume. This is safe only for storage volumes not in use by an active guest.\n'
                   'See blockresize for live resizing.',),
    'vol-upload': ('Upload file contents to a volume',),
}
