"""Collection on a distributed task engine (Celery with a Redis broker), opt-in.

`pantau collect --engine celery` sends one task per source to the broker and waits for every
attempt; `pantau worker` processes, on any number of machines, collect the sources into one
PostgreSQL store. The per-source work is the same function the thread pool runs
(`collect_source`); only where it runs changes. Celery and redis are the optional `engine` extra,
imported only by these modules, so a one-machine install for one regency never needs them.
"""
