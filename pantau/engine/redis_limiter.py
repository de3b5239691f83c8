"""Per-host politeness held in Redis, so "at most 2 requests at once to one host" holds across
every worker process on every machine.

A host's slots are a sorted set of leases (member: a unique token, score: the lease's expiry in
Redis's own clock). Taking a slot drops expired leases and adds one only while fewer than
`per_host` are live, in one Lua script, so two workers can never both take the last slot. A
worker killed while holding a slot leaves a lease that expires after `lease_seconds`, which
must outlast one request (the HTTP policy's total timeout), or a slow request could overlap a
third one.

Crawl-delay turns are one key per host holding the next allowed start, advanced atomically.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

PREFIX = "pantau:host"
# How often a worker waiting for a full host asks again: small against a response's latency.
POLL_SECONDS = 0.01

ACQUIRE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""

# Returns how many milliseconds the caller must wait before its request may start.
TURN = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local next_ms = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now_ms, next_ms)
redis.call('SET', KEYS[1], start + tonumber(ARGV[1]), 'PX', start - now_ms + tonumber(ARGV[1]) + 1000)
return start - now_ms
"""


class RedisLimiter:
    def __init__(self, client: redis.Redis, per_host: int, lease_seconds: float):
        self.client = client
        self.per_host = per_host
        self.lease_ms = int(lease_seconds * 1000)
        self._acquire = client.register_script(ACQUIRE)
        self._turn = client.register_script(TURN)

    @classmethod
    def from_url(cls, url: str, per_host: int, lease_seconds: float) -> RedisLimiter:
        return cls(redis.Redis.from_url(url), per_host, lease_seconds)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        key = f"{PREFIX}:slots:{host}"
        token = uuid.uuid4().hex
        while not self._acquire(keys=[key], args=[self.per_host, self.lease_ms, token]):
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            self.client.zrem(key, token)

    def wait_turn(self, host: str, delay: float) -> None:
        if delay <= 0:
            return
        wait_ms = int(self._turn(keys=[f"{PREFIX}:next:{host}"], args=[int(delay * 1000)]))
        if wait_ms > 0:
            time.sleep(wait_ms / 1000)
