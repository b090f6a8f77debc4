"""Formatters: virsh-identical text and notebook HTML from the same rows."""

from .table import escape, html_fields, html_table, virsh_fields, virsh_table

__all__ = ["virsh_table", "virsh_fields", "html_table", "html_fields", "escape"]
