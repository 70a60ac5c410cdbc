"""tf.Session and tf.InteractiveSession."""
import collections
import os
import threading
import warnings

import numpy as np
from tensorboard.compat.proto import config_pb2

from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib
from tensorweave.runtime import executor
from tensorweave.runtime import resources


class _DefaultSessionStack(threading.local):
    def __init__(self):
        super().__init__()
        self.stack = []


_default_session = _DefaultSessionStack()


def get_default_session():
    return _default_session.stack[-1] if _default_session.stack else None


def _reset_default_session_for_graph_reset():
    pass


def eval_in_session(obj, feed_dict, session, graph):
    """Tensor.eval / Operation.run: run `obj` in `session` or the default session."""
    if session is None:
        session = get_default_session()
        if session is None:
            what = "tensor" if isinstance(obj, graph_lib.Tensor) else "operation"
            raise ValueError(
                "Cannot evaluate %s using `%s()`: No default session is registered. Use `with "
                "sess.as_default()` or pass an explicit session to `%s(session=sess)`" % (
                    what, "eval" if what == "tensor" else "run",
                    "eval" if what == "tensor" else "run"))
    if session.graph is not graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph "
                         "is different from the session's graph.")
    return session.run(obj, feed_dict)


class _Fetch:
    """Flattened fetch structure: leaves (graph elements) and how to rebuild it."""

    __slots__ = ("leaves", "build")


def _flatten_fetches(fetches, graph, leaves):
    """Appends graph elements to `leaves`; returns a builder fn(values) -> structure."""
    if isinstance(fetches, (graph_lib.Tensor, graph_lib.Operation)):
        i = len(leaves)
        leaves.append(fetches)
        return i
    if fetches is None:
        raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
    if isinstance(fetches, str):
        try:
            el = graph.as_graph_element(fetches)
        except (KeyError, ValueError) as e:
            raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)" % (
                fetches, e))
        i = len(leaves)
        leaves.append(el)
        return i
    if isinstance(fetches, dict):
        keys = list(fetches.keys())
        subs = [_flatten_fetches(fetches[k], graph, leaves) for k in keys]
        return ("dict", type(fetches), keys, subs)
    if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):
        subs = [_flatten_fetches(f, graph, leaves) for f in fetches]
        return ("namedtuple", type(fetches), None, subs)
    if isinstance(fetches, (list, tuple)):
        subs = [_flatten_fetches(f, graph, leaves) for f in fetches]
        return ("list" if isinstance(fetches, list) else "tuple", type(fetches), None, subs)
    expand = getattr(fetches, "_tw_fetch_expand", None)
    if expand is not None:
        parts, rebuild = expand()
        subs = [_flatten_fetches(p, graph, leaves) for p in parts]
        return ("custom", rebuild, None, subs)
    if hasattr(fetches, "_as_graph_element"):
        i = len(leaves)
        leaves.append(fetches._as_graph_element())
        return i
    raise TypeError("Fetch argument %r has invalid type %r, must be a string or Tensor. (Can "
                    "not convert a %s into a Tensor or Operation.)" % (
                        fetches, type(fetches), type(fetches).__name__))


def _rebuild(spec, values):
    if type(spec) is int:
        return values[spec]
    kind, typ, keys, subs = spec
    if kind == "list":
        return [_rebuild(s, values) for s in subs]
    if kind == "tuple":
        return tuple(_rebuild(s, values) for s in subs)
    if kind == "namedtuple":
        return typ(*[_rebuild(s, values) for s in subs])
    if kind == "dict":
        out = typ() if typ is not collections.defaultdict else {}
        for k, s in zip(keys, subs):
            out[k] = _rebuild(s, values)
        return out
    if kind == "custom":
        return typ([_rebuild(s, values) for s in subs])
    raise AssertionError(kind)


def _lossy(src, dst):
    """True when converting a fed array of dtype src to dst would lose meaning."""
    if src == dst:
        return False
    sk, dk = src.kind, dst.kind
    if dk == "O" or sk in ("U", "S", "O"):
        return dk != "O" or sk not in ("U", "S", "O")
    if sk == "f" and dk in ("i", "u", "b"):
        return True
    if sk == "c" and dk != "c":
        return True
    return False


def _shape_mismatch(t, arr):
    want = t._shape
    shape = arr.shape
    msg = "Cannot feed value of shape %s for Tensor %r, which has shape %r" % (
        shape, t.name, str(want))
    dims = want.as_list()
    notes = []
    if len(dims) != len(shape):
        notes.append("the value has rank %d, the tensor rank %d" % (len(shape), len(dims)))
        known = [d for d in dims if d is not None]
        n = int(np.prod(shape)) if shape else 1
        k = int(np.prod(known)) if known else 1
        if known and n % k == 0 and n != k:
            notes.append("reshape the value to %s (e.g. np.reshape(value, %s))" % (
                [(-1 if d is None else d) for d in dims],
                [(-1 if d is None else d) for d in dims]))
    else:
        for i, (w, g) in enumerate(zip(dims, shape)):
            if w is not None and w != g:
                note = "dimension %d is %d, expected %d" % (i, g, w)
                if w and g % w == 0 and g // w in (3, 4):
                    note += " (%d = %d*%d: %s fed where %s expected?)" % (
                        g, w, g // w, "RGB" if g // w == 3 else "RGBA", "grayscale")
                notes.append(note)
    if notes:
        msg += ": " + "; ".join(notes)
    return ValueError(msg)


class BaseSession:
    """Runs a Graph: holds the session state (variable values, queues) and compiled plans."""

    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = graph_lib.get_default_graph()
        elif not isinstance(graph, graph_lib.Graph):
            raise TypeError("graph must be a tf.Graph, but got %s" % type(graph))
        if config is not None and not isinstance(config, config_pb2.ConfigProto):
            raise TypeError("config must be a tf.ConfigProto, but got %s" % type(config))
        self._graph = graph
        self._target = target if isinstance(target, bytes) else str(target).encode()
        self._config = config if config is not None else config_pb2.ConfigProto()
        self._state = resources.SessionState(graph, self._config)
        self._state.session = self
        self._plans = {}
        self._closed = False
        self._default_ctx = []
        self._log_placement = bool(self._config.log_device_placement)
        self._allow_soft = bool(self._config.allow_soft_placement)
        self._intra = self._config.intra_op_parallelism_threads
        self._inter = self._config.inter_op_parallelism_threads or int(
            os.environ.get("TENSORWEAVE_INTER_OP_THREADS", "0") or 0)
        self._structure_version = graph._structure_version
        self._hooks = {}
        from tensorweave.runtime import devices, rewrites

        self._rewrite_settings = rewrites.Settings(self._config)
        self._placed = set()
        devices.configure_threads(self._config)

    # ----------------------------------------------------------------- props
    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def(add_shapes=True)

    @property
    def sess_str(self):
        return self._target.decode() if isinstance(self._target, bytes) else self._target

    @property
    def _session_state(self):
        return self._state

    def list_devices(self):
        from tensorweave.runtime import devices

        return devices.list_session_devices()

    # -------------------------------------------------------------- defaults
    def as_default(self):
        return _SessionDefault(self)

    def __enter__(self):
        g = self._graph.as_default()
        s = self.as_default()
        g.__enter__()
        s.__enter__()
        self._default_ctx.append((g, s))
        return self

    def __exit__(self, exc_type, exc, tb):
        g, s = self._default_ctx.pop()
        s.__exit__(exc_type, exc, tb)
        g.__exit__(exc_type, exc, tb)
        self.close()
        return False

    def close(self):
        if not self._closed:
            self._closed = True
            self._state.close()
            self._plans.clear()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter teardown
            pass

    # ------------------------------------------------------------------- run
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops and evaluates the tensors in `fetches` (TF1 Session.run)."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        graph = self._graph
        if graph._structure_version != self._structure_version:
            self._plans.clear()
            self._structure_version = graph._structure_version
        leaves = []
        spec = _flatten_fetches(fetches, graph, leaves)
        feed_tensors, feed_arrays = self._feeds(feed_dict) if feed_dict else ((), [])
        key = (tuple(map(id, leaves)), tuple(map(id, feed_tensors)))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._compile(leaves, feed_tensors, key)
        graph._run_count += 1
        trace = options is not None and options.trace_level > 0
        if trace or run_metadata is not None and options is not None:
            from tensorweave.runtime import tracing

            values = tracing.run_with_trace(self, plan, feed_arrays, options, run_metadata)
        elif plan.timeout_ms is not None or (options is not None and options.timeout_in_ms):
            values = self._run_with_timeout(plan, feed_arrays, options)
        elif plan.numeric:
            # NOTE: TF's kernels never warn on inf/nan arithmetic (use tf.check_numerics);
            # NumPy's RuntimeWarnings are silenced for plans that compute anything.
            with np.errstate(all="ignore"):
                values = plan.run(feed_arrays)
        else:
            values = plan.run(feed_arrays)
        # NOTE: TF hands back 0-d results as NumPy scalars (np.float32(11.0), b"text") and
        # never an array that shares memory with a feed or graph state.
        results = [_fresh(values[i], feed_arrays) for i in plan.leaf_index]
        if type(spec) is int:
            return results[spec]
        return _rebuild(spec, results)

    def _run_with_timeout(self, plan, feed_arrays, options):
        from tensorweave.runtime import deadlines

        ms = options.timeout_in_ms if options is not None and options.timeout_in_ms else (
            plan.timeout_ms)
        with deadlines.deadline(ms):
            return plan.run(feed_arrays)

    def _compile(self, leaves, feed_tensors, key):
        graph = self._graph
        fetch_tensors = []
        targets = []
        leaf_index = []
        seen = {}
        for el in leaves:
            if el.graph is not graph:
                raise ValueError(
                    "Fetch argument %s is not an element of this graph: it belongs to graph "
                    "%#x, this session runs graph %#x. Create the session with that graph "
                    "(tf.Session(graph=...)) or build the fetch in the session's graph." % (
                        el.name if hasattr(el, "name") else el, id(el.graph), id(graph)))
            if isinstance(el, graph_lib.Tensor):
                if not graph.is_fetchable(el):
                    raise ValueError("Tensor %s may not be fetched." % el.name)
                k = id(el)
                if k not in seen:
                    seen[k] = len(fetch_tensors)
                    fetch_tensors.append(el)
                leaf_index.append(seen[k])
            else:
                targets.append(el)
                leaf_index.append(None)
        plan = executor.Plan(graph, fetch_tensors, targets, list(feed_tensors), self._state,
                             allow_soft_placement=self._allow_soft,
                             rewrite_settings=self._rewrite_settings)
        if self._log_placement:
            from tensorweave.runtime import devices

            devices.log_placement(graph, self._placed)
        if self._inter > 1:
            plan.parallel = executor.ParallelRunner(plan, self._inter)
        n = len(fetch_tensors)
        plan.leaf_index = [n if i is None else i for i in leaf_index]
        if any(i is None for i in leaf_index):
            # NOTE: fetched ops yield None; index n points at an appended None.
            fn = plan._fn
            kernels = plan._kernels
            plan._fn = lambda F, K, _f=fn: _f(F, K) + [None]
            plan._kernels = kernels
            plan.append_none = True
        plan.timeout_ms = None
        plan.numeric = any(st.op.type not in _PLUMBING_OPS for st in plan.steps)
        self._plans[key] = plan
        return plan

    def _feeds(self, feed_dict):
        graph = self._graph
        tensors = []
        arrays = []
        for k, v in feed_dict.items():
            if isinstance(k, graph_lib.Tensor):
                ts = [(k, v)]
            else:
                ts = self._resolve_feed_key(k, v)
            for t, val in ts:
                if t.graph is not graph:
                    raise ValueError("Cannot feed value for Tensor %s: it is not an element of "
                                     "this session's graph." % t.name)
                if not graph.is_feedable(t):
                    raise ValueError("Tensor %s may not be fed." % t.name)
                tensors.append(t)
                arrays.append(self._convert_feed(t, val))
        return tensors, arrays

    def _resolve_feed_key(self, k, v):
        expand = getattr(k, "_tw_feed_expand", None)
        if expand is not None:
            return expand(v)
        if hasattr(k, "_as_graph_element"):
            return [(k._as_graph_element(), v)]
        try:
            t = self._graph.as_graph_element(k, allow_tensor=True, allow_operation=False)
        except Exception as e:
            raise TypeError("Cannot interpret feed_dict key as Tensor: %s" % e)
        return [(t, v)]

    @staticmethod
    def _convert_feed(t, val):
        np_dtype = t._dtype.np_dtype
        if type(val) is np.ndarray and val.dtype == np_dtype:
            arr = val
        else:
            if isinstance(val, graph_lib.Tensor):
                raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable "
                                "feed values include Python scalars, strings, lists, numpy "
                                "ndarrays, or TensorHandles. For reference, the tensor object "
                                "was %s which was passed to the feed with key %s." % (val, t))
            src = val if isinstance(val, np.ndarray) else None
            if src is not None and _lossy(src.dtype, np_dtype):
                raise TypeError("Cannot feed a value of dtype %s to Tensor %r of dtype %s: the "
                                "conversion would lose information. Cast it first (e.g. "
                                "value.astype(np.%s))." % (src.dtype, t.name,
                                                           t.dtype.base_dtype.name,
                                                           np_dtype.name if np_dtype.kind != "O"
                                                           else "object"))
            try:
                if np_dtype.kind == "O":
                    from tensorweave.framework import tensor_util

                    arr = tensor_util.to_array(val, t.dtype.base_dtype)
                else:
                    arr = np.asarray(val, dtype=np_dtype)
                    if src is None and np_dtype.kind in "iub":
                        probe = np.asarray(val)
                        if probe.dtype.kind == "f" and probe.size and not np.array_equal(
                                probe, arr):
                            raise TypeError("value has fractional parts")
            except (TypeError, ValueError) as e:
                raise TypeError("Cannot feed value %r to Tensor %r of dtype %s: %s" % (
                    _short(val), t.name, t.dtype.base_dtype.name, e))
        dims = t._shape._dims
        if dims is not None:
            shape = arr.shape
            if len(dims) != len(shape):
                raise _shape_mismatch(t, arr)
            for d, s in zip(dims, shape):
                if d is not None and d != s:
                    raise _shape_mismatch(t, arr)
        return arr

    # -------------------------------------------------------------- helpers
    def make_callable(self, fetches, feed_list=None, accept_options=False):
        feed_list = list(feed_list or [])

        def _callable(*args, **kwargs):
            if len(args) != len(feed_list):
                raise ValueError("Expected %d feed values, got %d" % (len(feed_list),
                                                                       len(args)))
            return self.run(fetches, dict(zip(feed_list, args)), **kwargs)

        return _callable

    def partial_run_setup(self, fetches, feeds=None):
        from tensorweave.runtime import partial_run

        return partial_run.setup(self, fetches, feeds)

    def partial_run(self, handle, fetches, feed_dict=None):
        from tensorweave.runtime import partial_run

        return partial_run.run(self, handle, fetches, feed_dict)


_PLUMBING_OPS = frozenset(["Const", "Identity", "NoOp", "Placeholder", "PlaceholderWithDefault",
                           "VariableV2", "Assign", "Shape", "Reshape"])


def _fresh(v, feeds):
    if type(v) is np.ndarray:
        if v.ndim == 0:
            return v[()]
        if v.base is not None or not v.flags.writeable:
            return v.copy()
        for f in feeds:
            if v is f:
                return v.copy()
    return v


def _short(v):
    s = repr(v)
    return s if len(s) < 80 else s[:77] + "..."


class _SessionDefault:
    def __init__(self, sess):
        self._sess = sess

    def __enter__(self):
        _default_session.stack.append(self._sess)
        return self._sess

    def __exit__(self, *exc):
        stack = _default_session.stack
        if stack and stack[-1] is self._sess:
            stack.pop()
        elif self._sess in stack:
            stack.remove(self._sess)
        return False


class Session(BaseSession):
    """A TF1 session (`with tf.Session() as sess:` makes it and its graph the defaults)."""


class InteractiveSession(BaseSession):
    """A session that installs itself as the default on construction (for shells)."""

    _active = 0

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        if InteractiveSession._active:
            warnings.warn("An interactive session is already active. This can cause "
                          "out-of-memory errors in some cases. You must explicitly call "
                          "`InteractiveSession.close()` to release resources held by the "
                          "other session(s).")
        InteractiveSession._active += 1
        self._default = self.as_default()
        self._default.__enter__()
        self._explicit_graph = None
        if graph is not None:
            self._explicit_graph = graph.as_default()
            self._explicit_graph.__enter__()

    def close(self):
        if self._closed:
            return
        super().close()
        InteractiveSession._active = max(0, InteractiveSession._active - 1)
        if self._explicit_graph is not None:
            self._explicit_graph.__exit__(None, None, None)
            self._explicit_graph = None
        self._default.__exit__(None, None, None)
