from pantau.cli import entry

entry()
