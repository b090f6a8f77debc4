"""A 137-byte x86-64 program that reads address 0: the guest's user-mode crash, built from bytes.

No compiler needed and byte-identical on every build. Running it inside the guest makes the CPU
fault, the guest kernel sends SIGSEGV and kills only that process ("segfault at 0" in dmesg):
the kernel and every other process carry on. That is the user-mode half of the crash demo.
"""

from __future__ import annotations

import struct

__all__ = ["segfault_elf"]

_BASE = 0x400000  # where the one PT_LOAD segment is mapped

# mov rax, [0]          48 8b 04 25 00 00 00 00   <- the faulting load
# mov eax, 60           b8 3c 00 00 00            exit(0), never reached
# xor edi, edi          31 ff
# syscall               0f 05
_CODE = bytes.fromhex("488b042500000000" "b83c000000" "31ff" "0f05")


def segfault_elf() -> bytes:
    """A static ELF64 executable: one ELF header, one program header, then the code above."""
    ehsize, phsize = 64, 56
    entry = _BASE + ehsize + phsize
    size = ehsize + phsize + len(_CODE)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8  # 64-bit, little-endian, ELF v1, SysV ABI
    header = ident + struct.pack(
        "<HHIQQQIHHHHHH",
        2,  # e_type: ET_EXEC
        0x3E,  # e_machine: x86-64
        1,  # e_version
        entry,  # e_entry
        ehsize,  # e_phoff: program headers right after this header
        0,  # e_shoff: no section headers
        0,  # e_flags
        ehsize,
        phsize,
        1,  # e_phnum
        0,
        0,
        0,  # no sections
    )
    phdr = struct.pack(
        "<IIQQQQQQ",
        1,  # PT_LOAD
        5,  # PF_R | PF_X
        0,  # p_offset: map the file from its start
        _BASE,
        _BASE,
        size,
        size,
        0x1000,
    )
    return header + phdr + _CODE
