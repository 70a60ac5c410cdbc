"""Runtime side of tf.data: dataset values (what a dataset op's kernel returns) and iterators.

A dataset op's kernel returns a 0-d object array holding a `DatasetValue`; `iterate()` gives
a fresh Python iterator of flat element tuples (NumPy arrays). Map/filter/flat_map functions
are FuncGraphs compiled once per session into executor plans. Parallel map runs its calls on
a thread pool and prefetch fills a bounded buffer from a background thread, so input work
overlaps the training step (NumPy and Pillow release the GIL in their heavy loops).

Fast paths for map+batch (fused_map_batch_gen): the function runs once per batch, vectorized
(vectorize.py); TFRecord and tensor-slice sources hand over their elements in chunks (no
per-element Python); and a prefetch over a map whose function decodes PNGs runs the batches
one (super-)batch ahead on the consumer's thread, the C decoder working on a native thread
meanwhile (no Python thread, so no GIL handoffs).
"""
import collections
import concurrent.futures
import itertools
import queue as queue_lib
import threading

import numpy as np

from tensorweave.framework import errors

_END = object()
# A prefetched map(decode_png)+batch runs its function on up to SUPER_BATCHES batches at once
# (at most SUPER_BATCH_ELEMENTS elements): see fused_map_batch_gen's super_pipelined. 16/1600
# measured ~25% less consumer-thread CPU per batch than 4/512 (the per-call Python glue and
# the decode-job handoff amortized over more batches).
SUPER_BATCHES = 16
SUPER_BATCH_ELEMENTS = 1600


class DatasetValue:
    """A dataset at run time: `iterate()` -> iterator of tuples of arrays."""

    def __init__(self, gen, state=None):
        self._gen = gen
        self.state = state
        # (input DatasetValue, FunctionRunner, parallel calls) for map datasets, so a batch
        # right after a map can run the function once per batch (see vectorize.py).
        self.map_info = getattr(gen, "map_info", None)
        # NOTE: a dataset that can also give its elements many at a time (`gen.chunks()`: an
        # iterator of component tuples with a leading dimension, the same elements in the same
        # order) lets map+batch skip the per-element Python work entirely.
        self._chunks = getattr(gen, "chunks", None)
        self._inline = getattr(gen, "inline", None)
        self._pipelined = getattr(gen, "pipelined", None)
        self._has_async = getattr(gen, "has_async", None)

    def iterate(self):
        return iter(self._gen())

    def has_chunks(self):
        return self._chunks is not None

    def iterate_chunks(self):
        return iter(self._chunks())

    def iterate_pipelined(self):
        """An iterator computing elements one ahead with native threads, or None."""
        if self._pipelined is None or not self._has_async():
            return None
        return iter(self._pipelined())

    def iterate_in_background(self):
        """iterate() for a consumer on a background thread (see fused_map_batch_gen)."""
        return iter(self._inline() if self._inline is not None else self._gen())


def compile_function(fg, state):
    """An executor plan for FuncGraph `fg` (inputs: args then captures)."""
    from tensorweave.runtime import executor

    return executor.Plan(fg, list(fg.outputs), [], list(fg.inputs), state)


class FunctionRunner:
    """Calls a traced function on element tuples (plan compiled lazily, once)."""

    def __init__(self, fg, captured, state):
        self.fg = fg
        self.captured = list(captured)
        self.state = state
        self._plan = None
        self._lock = threading.Lock()

    @property
    def plan(self):
        plan = self._plan
        if plan is None:
            with self._lock:
                if self._plan is None:
                    self._plan = compile_function(self.fg, self.state)
                plan = self._plan
        return plan

    def vectorized(self):
        from tensorweave.data import vectorize

        v = getattr(self, "_vectorized", None)
        if v is None:
            v = self._vectorized = vectorize.VectorizedFunction(
                self.plan, len(self.fg.inputs) - len(self.captured))
        return v

    def __call__(self, element):
        return self.plan.run(list(element) + self.captured)


def tensor_slices(comps, chunk=1024):
    def gen():
        if not comps:
            return
        n = comps[0].shape[0]
        for i in range(n):
            yield tuple(c[i] for c in comps)

    def chunks():
        if not comps:
            return
        n = comps[0].shape[0]
        for i in range(0, n, chunk):
            yield tuple(c[i:i + chunk] for c in comps)

    gen.chunks = chunks
    return gen


def range_gen(start, stop, step):
    def gen():
        for v in range(start, stop, step):
            yield (np.asarray(v, dtype=np.int64),)

    return gen


def map_gen(inp, fn):
    def gen():
        for el in inp.iterate():
            yield tuple(fn(el))

    gen.map_info = (inp, fn, 1)
    return gen


def parallel_map_gen(inp, fn, num_parallel_calls, state, chunk=16):
    """Map on a pool of num_parallel_calls threads, in input order.

    Work is handed out in chunks of up to `chunk` elements (one future per chunk), so the
    per-element cost is the function call itself, not the pool's bookkeeping.
    """
    n = max(1, int(num_parallel_calls))

    def run_chunk(els):
        return [tuple(fn(el)) for el in els]

    def gen():
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=n,
                                                     thread_name_prefix="tw_data_map")
        pending = collections.deque()
        src = inp.iterate()
        size = 1
        try:
            exhausted = False
            while True:
                while not exhausted and len(pending) < 2 * n:
                    els = list(itertools.islice(src, size))
                    if len(els) < size:
                        exhausted = True
                    if els:
                        pending.append(pool.submit(run_chunk, els))
                    # NOTE: start with small chunks so the first elements come quickly.
                    size = min(chunk, size * 2)
                if not pending:
                    return
                yield from pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=False)

    gen.map_info = (inp, fn, n)
    return gen


def filter_gen(inp, fn):
    def gen():
        for el in inp.iterate():
            r = fn(el)
            if bool(np.asarray(r[0]).reshape(())):
                yield el

    return gen


def flat_map_gen(inp, fn):
    def gen():
        for el in inp.iterate():
            ds = _unwrap(fn(el)[0])
            yield from ds.iterate()

    return gen


def interleave_gen(inp, fn, cycle_length, block_length):
    def gen():
        src = inp.iterate()
        active = []
        exhausted = False
        cyc = max(1, int(cycle_length))
        blk = max(1, int(block_length))
        while True:
            while not exhausted and len(active) < cyc:
                try:
                    el = next(src)
                except StopIteration:
                    exhausted = True
                    break
                active.append(_unwrap(fn(el)[0]).iterate())
            if not active:
                return
            i = 0
            while i < len(active):
                it = active[i]
                done = False
                for _ in range(blk):
                    try:
                        yield next(it)
                    except StopIteration:
                        done = True
                        break
                if done:
                    active.pop(i)
                    # NOTE: refill the freed slot before moving on, as TF's cycle does.
                    if not exhausted:
                        try:
                            el = next(src)
                            active.insert(i, _unwrap(fn(el)[0]).iterate())
                        except StopIteration:
                            exhausted = True
                    continue
                i += 1

    return gen


def _take_rows(pend, n):
    """The first n rows of the deque of chunks `pend` (taken off it) as one chunk."""
    parts, need = [], n
    while need:
        c0 = pend[0]
        k0 = len(c0[0])
        if k0 <= need:
            parts.append(pend.popleft())
            need -= k0
        else:
            parts.append(tuple(x[:need] for x in c0))
            pend[0] = tuple(x[need:] for x in c0)
            need = 0
    return _concat_chunks(parts)


def _concat_chunks(parts):
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate(cs) for cs in zip(*parts))


def rechunk(chunks, bs, drop_remainder):
    """Component-tuple chunks -> chunks of exactly bs elements (the last one may be short)."""
    pend = collections.deque()
    have = 0
    for c in chunks:
        k = len(c[0]) if c else 0
        if not k:
            continue
        pend.append(c)
        have += k
        while have >= bs:
            have -= bs
            yield _take_rows(pend, bs)
    if have and not drop_remainder:
        yield _concat_chunks(list(pend))


def batch_gen(inp, batch_size, drop_remainder):
    bs = int(batch_size)
    if bs <= 0:
        raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
    if inp.map_info is not None and bs > 1:
        return fused_map_batch_gen(inp.map_info, bs, drop_remainder)

    def gen():
        buf = []
        for el in inp.iterate():
            buf.append(el)
            if len(buf) == bs:
                yield _stack(buf)
                buf = []
        if buf and not drop_remainder:
            yield _stack(buf)

    return gen


def fused_map_batch_gen(map_info, bs, drop_remainder):
    """map(f) + batch(bs): f runs once per batch, vectorized (per element when it must)."""
    from tensorweave.data import vectorize

    src, fn, n = map_info

    def compute(els):
        vec = fn.vectorized()
        if isinstance(els, tuple):
            # NOTE: already stacked components (from a chunked source).
            comps = list(els)
            b = len(comps[0]) if comps else 0
            els = None
        else:
            comps = vectorize.stack_elements(els) if vec.ok else None
            b = len(els)
        if comps is not None and vec.ok:
            try:
                return vec(comps, fn.captured, b)
            except Exception:
                pass
        if els is None:
            els = [tuple(c[i, ...] for c in comps) for i in range(b)]
        return _stack([tuple(fn(el)) for el in els])

    def chunks():
        if src.has_chunks():
            yield from rechunk(src.iterate_chunks(), bs, drop_remainder)
            return
        it = src.iterate()
        while True:
            els = list(itertools.islice(it, bs))
            if not els or (len(els) < bs and drop_remainder):
                return
            yield els
            if len(els) < bs:
                return

    # NOTE: a vectorized batch is mostly GIL-holding Python glue around short C calls, so
    # parallel calls > 1 get ONE background worker: two workers measured about 2x slower
    # than one (GIL convoy), and the worker still overlaps with the consumer.
    workers = 1

    def gen():
        if n <= 1:
            for els in chunks():
                yield compute(els)
            return
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers,
                                                     thread_name_prefix="tw_data_map")
        pending = collections.deque()
        it = chunks()
        try:
            exhausted = False
            while True:
                while not exhausted and len(pending) < n:
                    try:
                        els = next(it)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.append(pool.submit(compute, els))
                if not pending:
                    return
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=False)

    def inline():
        for els in chunks():
            yield compute(els)

    def start(els):
        """Starts a batch: ("done", outputs) / ("run", generator, els) / ("err", exception)."""
        vec = fn.vectorized()
        if isinstance(els, tuple):
            comps, b = list(els), len(els[0]) if els else 0
        else:
            comps, b = (vectorize.stack_elements(els) if vec.ok else None), len(els)
        if comps is not None and vec.ok:
            g = vec.execute(comps, fn.captured, b)
            try:
                next(g)
                return ("run", g, els)
            except StopIteration as e:
                return ("done", e.value)
            except Exception:
                pass
        try:
            return ("done", compute_elements(els))
        except Exception as e:
            return ("err", e)

    def compute_elements(els):
        if isinstance(els, tuple):
            comps = list(els)
            els = [tuple(c[i, ...] for c in comps) for i in range(len(comps[0]))]
        return _stack([tuple(fn(el)) for el in els])

    def finish(state):
        if state[0] == "done":
            return state[1]
        if state[0] == "err":
            raise state[1]
        _, g, els = state
        try:
            while True:
                next(g)
        except StopIteration as e:
            return e.value
        except Exception:
            pass
        return compute_elements(els)

    def start_vec(comps):
        """A batch of stacked components started vectorized: ("run", generator, None) /
        ("done", outputs), or None where the function cannot run vectorized on it."""
        vec = fn.vectorized()
        if not vec.ok:
            return None
        g = vec.execute(list(comps), fn.captured, len(comps[0]))
        try:
            next(g)
            return ("run", g, None)
        except StopIteration as e:
            return ("done", e.value)
        except Exception:
            return None

    def finish_vec(state):
        if state[0] == "done":
            return state[1]
        g = state[1]
        try:
            while True:
                next(g)
        except StopIteration as e:
            return e.value

    def super_chunks(per):
        """Component tuples of `per` elements (the last one shorter, cut at a whole batch when
        drop_remainder) from the chunked source. An error from the source comes after the
        whole batches read before it, as batch-by-batch reading would give them."""
        pend = collections.deque()
        have = 0
        it = src.iterate_chunks()

        def take(n):
            nonlocal have
            have -= n
            return _take_rows(pend, n)

        while True:
            try:
                c = next(it)
            except StopIteration:
                break
            except Exception:
                if have >= bs:
                    yield take(have // bs * bs)
                raise
            k = len(c[0]) if c else 0
            if not k:
                continue
            pend.append(c)
            have += k
            while have >= per:
                yield take(per)
        n = have // bs * bs if drop_remainder else have
        if n:
            yield take(n)

    def super_pipelined(m):
        """pipelined() for a chunked source, running the function on m batches at once (the
        per-call Python cost is most of the cost for small batches) and handing out their
        slices; a super-batch that cannot run vectorized goes batch by batch instead, so
        values and errors come exactly as with one batch at a time."""
        def begin(comps):
            return (start_vec(comps), comps)

        def end(item):
            state, comps = item
            out = None
            if state is not None:
                try:
                    out = finish_vec(state)
                except Exception:
                    out = None
            n = len(comps[0])
            if out is not None:
                for i in range(0, n, bs):
                    yield tuple(o[i:i + bs] for o in out)
                return
            for i in range(0, n, bs):
                yield finish(start(tuple(c[i:i + bs] for c in comps)))

        it = super_chunks(m * bs)
        inflight = None
        while True:
            try:
                comps = next(it)
            except StopIteration:
                break
            except Exception as e:
                if inflight is not None:
                    yield from end(inflight)
                raise e
            nxt = begin(comps)
            if inflight is not None:
                yield from end(inflight)
            inflight = nxt
        if inflight is not None:
            yield from end(inflight)

    def pipelined():
        """The batches in order, each started (parsed, its images handed to a native decode
        thread) while the previous one is being consumed: no Python thread, so no GIL
        handoffs, and the decode still overlaps the consumer's work."""
        m = max(1, min(SUPER_BATCHES, SUPER_BATCH_ELEMENTS // bs))
        if m > 1 and src.has_chunks():
            yield from super_pipelined(m)
            return
        it = chunks()
        inflight = None
        while True:
            try:
                els = next(it)
            except StopIteration:
                break
            except Exception as e:
                if inflight is not None:
                    yield finish(inflight)
                raise e
            nxt = start(els)
            if inflight is not None:
                yield finish(inflight)
            inflight = nxt
        if inflight is not None:
            yield finish(inflight)

    # NOTE: a consumer that already runs on its own thread (prefetch) computes the batches
    # itself: one thread hop per batch instead of two (each costs a GIL handoff).
    gen.inline = inline
    # NOTE: when the function's heavy work can run on native threads (C PNG decode), prefetch
    # runs the batches one ahead on the consumer's thread instead (see prefetch_gen).
    gen.pipelined = pipelined
    gen.has_async = lambda: fn.vectorized().has_async()
    return gen


def _stack(buf):
    out = []
    for i in range(len(buf[0])):
        parts = [b[i] for b in buf]
        first = parts[0]
        for j, p in enumerate(parts):
            if p.shape != first.shape:
                raise errors.InvalidArgumentError(
                    None, None, "Cannot batch tensors with different shapes in component %d. "
                    "First element had shape %s and element %d had shape %s." % (
                        i, _fmt(first.shape), j, _fmt(p.shape)))
        out.append(np.stack(parts))
    return tuple(out)


def _fmt(s):
    return "[%s]" % ",".join(str(d) for d in s)


def padded_batch_gen(inp, batch_size, padded_shapes, padding_values, drop_remainder):
    bs = int(batch_size)

    def gen():
        buf = []

        def flush():
            out = []
            for i in range(len(buf[0])):
                parts = [b[i] for b in buf]
                want = [int(d) for d in np.asarray(padded_shapes[i]).reshape(-1)]
                shape = []
                for d in range(parts[0].ndim):
                    m = max(p.shape[d] for p in parts)
                    if d < len(want) and want[d] >= 0:
                        if m > want[d]:
                            raise errors.InvalidArgumentError(
                                None, None, "Attempted to pad to a smaller size than the input "
                                "element.")
                        m = want[d]
                    shape.append(m)
                pv = np.asarray(padding_values[i]).reshape(())[()]
                res = np.full([len(parts)] + shape, pv, dtype=parts[0].dtype)
                for j, p in enumerate(parts):
                    res[(j,) + tuple(slice(0, s) for s in p.shape)] = p
                out.append(res)
            return tuple(out)

        for el in inp.iterate():
            buf.append(el)
            if len(buf) == bs:
                yield flush()
                buf = []
        if buf and not drop_remainder:
            yield flush()

    return gen


def shuffle_gen(inp, buffer_size, seed, seed2, reshuffle, rng_factory):
    epoch = itertools.count()
    bsz = max(1, int(buffer_size))

    def gen():
        e = next(epoch)
        rng = rng_factory(seed, seed2, e if reshuffle else 0)
        buf = []
        src = inp.iterate()
        for el in src:
            buf.append(el)
            if len(buf) >= bsz:
                break
        for el in src:
            j = int(rng.integers(len(buf)))
            yield buf[j]
            buf[j] = el
        while buf:
            j = int(rng.integers(len(buf)))
            buf[j], buf[-1] = buf[-1], buf[j]
            yield buf.pop()

    return gen


def repeat_gen(inp, count):
    def gen():
        n = 0
        while count < 0 or n < count:
            got = False
            for el in inp.iterate():
                got = True
                yield el
            n += 1
            if not got:
                return

    def chunks():
        n = 0
        while count < 0 or n < count:
            got = False
            for c in inp.iterate_chunks():
                if c and len(c[0]):
                    got = True
                    yield c
            n += 1
            if not got:
                return

    if inp.has_chunks():
        gen.chunks = chunks
    return gen


def take_gen(inp, count):
    def gen():
        if count < 0:
            yield from inp.iterate()
        else:
            yield from itertools.islice(inp.iterate(), count)

    return gen


def skip_gen(inp, count):
    def gen():
        if count < 0:
            return
        yield from itertools.islice(inp.iterate(), count, None)

    return gen


def cache_gen(inp):
    cache = {"done": None}
    lock = threading.Lock()

    def gen():
        if cache["done"] is not None:
            yield from cache["done"]
            return
        got = []
        for el in inp.iterate():
            got.append(el)
            yield el
        with lock:
            if cache["done"] is None:
                cache["done"] = got

    return gen


def zip_gen(inps):
    def gen():
        for els in zip(*[i.iterate() for i in inps]):
            yield tuple(itertools.chain.from_iterable(els))

    return gen


def concat_gen(a, b):
    def gen():
        yield from a.iterate()
        yield from b.iterate()

    return gen


def prefetch_gen(inp, buffer_size, state):
    size = max(1, int(buffer_size)) if buffer_size >= 0 else 2

    def gen():
        piped = inp.iterate_pipelined()
        if piped is not None:
            # NOTE: map(decode_png...)+batch: the batch after the one being consumed is
            # already parsed and decoding on a native thread; a Python prefetch thread would
            # add GIL handoffs and buy nothing more.
            yield from piped
            return
        q = queue_lib.Queue(size)
        stop = threading.Event()
        if state is not None:
            state.on_close(stop.set)

        def fill():
            try:
                for el in inp.iterate_in_background():
                    while not stop.is_set():
                        try:
                            q.put(el, timeout=0.1)
                            break
                        except queue_lib.Full:
                            continue
                    if stop.is_set():
                        return
                item = _END
            except BaseException as e:
                item = _Raise(e)
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.1)
                    return
                except queue_lib.Full:
                    continue

        t = threading.Thread(target=fill, name="tw_data_prefetch", daemon=True)
        t.start()
        try:
            while True:
                try:
                    item = q.get(timeout=0.1)
                except queue_lib.Empty:
                    if stop.is_set():
                        raise errors.CancelledError(None, None, "Iterator was cancelled")
                    continue
                if item is _END:
                    return
                if isinstance(item, _Raise):
                    raise item.exc
                yield item
        finally:
            stop.set()

    return gen


class _Raise:
    __slots__ = ("exc",)

    def __init__(self, exc):
        self.exc = exc


def records_gen(filenames, source, batches=None):
    """Records of files; `batches(name)`, where given, yields lists of records (a faster
    reader with the same records and errors), used for both element and chunk iteration."""
    names = [f.decode() if isinstance(f, bytes) else str(f)
             for f in np.asarray(filenames).reshape(-1)]

    def gen():
        for name in names:
            if batches is not None:
                for recs in batches(name):
                    for v in recs:
                        yield (np.array(v, dtype=object),)
            else:
                for _, v in source(name):
                    yield (np.asarray(v, dtype=object),)

    def chunks():
        for name in names:
            for recs in batches(name):
                a = np.empty(len(recs), dtype=object)
                a[:] = recs
                yield (a,)

    if batches is not None:
        gen.chunks = chunks
    return gen


def _unwrap(h):
    return h[()] if isinstance(h, np.ndarray) else h


# ================================================================== iterators
class IteratorResource:
    """A session's iterator: initialized by MakeIterator (or once, for one-shot)."""

    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.it = None
        self.closed = False

    def make(self, dataset):
        it = dataset.iterate()
        with self.lock:
            old, self.it = self.it, it
        if old is not None and hasattr(old, "close"):
            try:
                old.close()
            except Exception:
                pass

    def get_next(self):
        with self.lock:
            it = self.it
            if it is None:
                raise errors.FailedPreconditionError(
                    None, None, "GetNext() failed because the iterator has not been "
                    "initialized. Ensure that you have run the initializer operation for this "
                    "iterator before getting the next element.")
            try:
                return next(it)
            except StopIteration:
                raise errors.OutOfRangeError(None, None, "End of sequence") from None

    def close_for_session(self):
        it = self.it
        self.it = None
        if it is not None and hasattr(it, "close"):
            try:
                it.close()
            except Exception:
                pass
