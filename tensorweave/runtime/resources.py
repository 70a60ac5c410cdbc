"""Per-session state: variable values, random streams, queues, readers and iterators.

Two sessions on one graph hold independent state; kernels reach it only through the
`SessionState` their factory receives at plan time (no globals).
"""
import threading

import numpy as np


class SessionState:
    """Mutable state owned by one Session."""

    def __init__(self, graph, config=None):
        self.graph = graph
        self.config = config
        self.variables = {}
        self.rngs = {}
        self.resources = {}
        self.lock = threading.RLock()
        self.closed = False
        self._close_callbacks = []
        self.session = None

    def rng_for(self, op, seed_pair):
        """One random stream per op per session; deterministic when a seed is set."""
        rng = self.rngs.get(op.name)
        if rng is None:
            s1, s2 = seed_pair
            if s1 == 0 and s2 == 0:
                rng = np.random.default_rng()
            else:
                rng = np.random.default_rng([int(s1) & 0xFFFFFFFF, int(s2) & 0xFFFFFFFF,
                                             _stable_hash(op.name)])
            self.rngs[op.name] = rng
        return rng

    def resource(self, key, create):
        """Returns the session resource under `key`, creating it with create() once."""
        with self.lock:
            r = self.resources.get(key)
            if r is None:
                r = create()
                self.resources[key] = r
            return r

    def on_close(self, fn):
        self._close_callbacks.append(fn)

    def close(self):
        self.closed = True
        for fn in self._close_callbacks:
            try:
                fn()
            except Exception:  # noqa: BLE001 - closing must reach every resource
                pass
        for r in list(self.resources.values()):
            close = getattr(r, "close_for_session", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001
                    pass


def _stable_hash(s):
    h = 2166136261
    for ch in s.encode():
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h
