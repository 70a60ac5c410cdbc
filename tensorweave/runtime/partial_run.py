"""Session.partial_run: run a subgraph in steps, feeding and fetching as the steps go.

Each op runs at most once per partial-run handle: values fetched or fed in earlier steps are
fed into later steps instead of being recomputed.
"""
import itertools

_HANDLES = itertools.count(1)


class _PartialRun:
    def __init__(self, fetches, feeds):
        self.allowed_fetches = set(id(f) for f in fetches)
        self.allowed_feeds = set(id(f) for f in feeds)
        self.values = {}


def _elements(session, items):
    from tensorweave.runtime.session import _flatten_fetches

    leaves = []
    _flatten_fetches(list(items), session.graph, leaves)
    return leaves


def setup(session, fetches, feeds=None):
    """Returns a handle for partial_run; fetches and feeds must be declared up front (as TF)."""
    fetch_list = fetches if isinstance(fetches, (list, tuple)) else [fetches]
    handle = "tensorweave_partial_run_%d" % next(_HANDLES)
    session._partial_runs = getattr(session, "_partial_runs", {})
    session._partial_runs[handle] = _PartialRun(_elements(session, fetch_list),
                                                _elements(session, feeds or []))
    return handle


def run(session, handle, fetches, feed_dict=None):
    runs = getattr(session, "_partial_runs", {})
    state = runs.get(handle)
    if state is None:
        raise ValueError("Invalid partial run handle %r: call partial_run_setup first." % handle)
    feed_dict = dict(feed_dict or {})
    for k in feed_dict:
        key = k if not isinstance(k, str) else session.graph.as_graph_element(k)
        if id(key) not in state.allowed_feeds:
            raise ValueError("Feed %s was not specified in partial_run_setup." % (
                getattr(key, "name", key),))
    for el in _elements(session, fetches if isinstance(fetches, (list, tuple)) else [fetches]):
        if id(el) not in state.allowed_fetches:
            raise ValueError("Fetch %s was not specified in partial_run_setup." % el.name)
    feeds = dict(state.values)
    feeds.update(feed_dict)
    result = session.run(fetches, feed_dict=feeds)
    for k, v in feed_dict.items():
        state.values[k] = v
    flat = result if isinstance(fetches, (list, tuple)) else [result]
    for f, v in zip(fetches if isinstance(fetches, (list, tuple)) else [fetches], flat):
        if hasattr(f, "dtype") and v is not None:
            state.values[f] = v
    return result
