"""The simulator in a process of its own, so it never competes with the collectors for the GIL.

The child (`python -m pantau.sim.process`, a plain subprocess: multiprocessing's spawn would
re-run the parent's __main__, which under Streamlit or a test runner is not importable) reads
the units, seed and fault plan as one JSON line, rebuilds the same world (the world is
deterministic), listens, and reports its ports as one JSON line. The parent then drives it
through the control port exactly as it would drive a SimServer thread.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import subprocess
import sys
from datetime import datetime
from urllib.parse import quote
from urllib.request import urlopen

from pantau.config import PROJECT_ROOT
from pantau.models import Unit
from pantau.sim.faults import FaultPlan
from pantau.sim.world import World, build_world

START_TIMEOUT = 120


class SimProcess:
    """Start with `SimProcess(world, plan, weeks)`; `world`'s hosts get the child's ports."""

    def __init__(self, world: World, plan: FaultPlan, weeks: int):
        self.world = world
        spec = {
            "units": [dataclasses.asdict(u) for u in world.units],
            "seed": world.seed,
            "weeks": weeks,
            "last_day": world.last_day.isoformat(),
            "plan": dataclasses.asdict(plan),
        }
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen([sys.executable, "-m", "pantau.sim.process"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, cwd=PROJECT_ROOT, env=env, text=True)
        self.process.stdin.write(json.dumps(spec) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError("the simulator process did not start")
        started = json.loads(line)
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
        self.control(f"/_sim/clock?at={quote(value.isoformat())}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()


def main() -> None:
    from datetime import date

    from pantau.sim.server import SimServer

    spec = json.loads(sys.stdin.readline())
    units = [Unit(**u) for u in spec["units"]]
    world = build_world(units, seed=spec["seed"], weeks=spec["weeks"],
                        last_day=date.fromisoformat(spec["last_day"]))
    server = SimServer(world, FaultPlan(**spec["plan"]))
    print(json.dumps({"control": server.control_port, "ports": {h.unit_id: h.port for h in world.hosts}}),
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
