"""The simulator in a process of its own, so it never competes with the collectors for the GIL.

The child rebuilds the same world from the same units and seed (the world is deterministic),
listens, and reports its ports back; the parent drives it through the control port exactly as
it would drive a SimServer thread.
"""

from __future__ import annotations

import json
import multiprocessing
from datetime import datetime
from urllib.request import urlopen

from pantau.models import Unit
from pantau.sim.faults import FaultPlan
from pantau.sim.server import SimServer
from pantau.sim.world import World, build_world


def _child(units: list[tuple], seed: int, weeks: int, plan: FaultPlan, pipe) -> None:
    world = build_world([Unit(*u) for u in units], seed=seed, weeks=weeks)
    server = SimServer(world, plan)
    pipe.send({"control": server.control_port, "ports": {h.unit_id: h.port for h in world.hosts}})
    pipe.close()
    server.serve_forever()


class SimProcess:
    """Start with `SimProcess(world, plan)`; `world` gets the child's ports."""

    def __init__(self, world: World, plan: FaultPlan, weeks: int):
        self.world = world
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        units = [(u.unit_id, u.name, u.kind, u.parent_id, u.code, u.verified) for u in world.units]
        self.process = context.Process(target=_child, args=(units, world.seed, weeks, plan, child), daemon=True)
        self.process.start()
        if not parent.poll(120):
            self.process.kill()
            raise RuntimeError("the simulator process did not start")
        started = parent.recv()
        self.control_url = f"http://127.0.0.1:{started['control']}"
        for host in world.hosts:
            host.port = started["ports"][host.unit_id]

    def control(self, path: str) -> dict:
        with urlopen(self.control_url + path, timeout=30) as answer:
            return json.loads(answer.read())

    def stats(self) -> dict:
        return self.control("/_sim/stats")

    def reset_stats(self) -> None:
        self.control("/_sim/reset")

    @property
    def now(self) -> datetime:
        return datetime.fromisoformat(self.control("/_sim/clock")["now"])

    @now.setter
    def now(self, value: datetime) -> None:
        from urllib.parse import quote

        self.control(f"/_sim/clock?at={quote(value.isoformat())}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)
