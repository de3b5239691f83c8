"""A deterministic simulation of a regency's public channels, with its ground truth.

`pantau demo`, the end-to-end tests and `pantau bench` all use it: the world (which unit runs
which channel, and every post of a year on each) is generated from a registry and a seed; the
server serves every channel on loopback in its platform's real format, faults included; the
truth module says what a correct collection must have stored.

    world.py      units -> channels -> posts (deterministic), and what each route can reach
    content.py    Indonesian titles, posting rhythms, the event calendar
    faults.py     which faults hit which channel, and how
    server.py     one asyncio loop listening on one loopback port per unit
    formats/      one module per platform format (WordPress, OpenSID, Blogger, YouTube...)
    registry.py   writes the simulated registry folder pointing at the server
    truth.py      compares a store with the ground truth, per source and ISO week
"""
