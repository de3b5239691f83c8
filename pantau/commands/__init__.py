"""Subcommands of the `pantau` command, one module each."""
