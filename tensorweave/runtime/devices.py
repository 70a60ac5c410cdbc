"""The devices a local session has (one CPU), placement logging, and thread settings.

Thread settings follow ConfigProto:
- `intra_op_parallelism_threads` (0 = automatic): threads one kernel may use.  Convolutions
  split their batch over that many threads of their own (sleeping when idle); BLAS gets that
  many threads when it is set explicitly.  Automatic means: convolutions use every core and
  BLAS runs single-threaded, because a BLAS library's spinning workers collapse on a loaded
  machine (a 100x784x500 GEMM goes from 0.6 ms to 16 ms on 2 busy cores) while independent
  kernels and the convolution split already keep the cores busy.  An OPENBLAS_NUM_THREADS /
  OMP_NUM_THREADS / MKL_NUM_THREADS set by the user is left alone in automatic mode.
- `inter_op_parallelism_threads` (0 = serial here): independent ready kernels of one step
  run concurrently on a pool of that many threads (see executor.ParallelRunner).
"""
import collections
import os
import threading

from tensorweave.runtime.executor import LOCAL_CPU

_DeviceAttributes = collections.namedtuple(
    "_DeviceAttributes", ["name", "device_type", "memory_limit_bytes", "incarnation"])


def list_session_devices():
    return [_DeviceAttributes(LOCAL_CPU, "CPU", 268435456, 0)]


def list_local_devices():
    return list_session_devices()


# ----------------------------------------------------------------------------- threads
_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_lock = threading.Lock()
_controller = None
_blas_threads = None  # what we last set (None: never touched)


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def blas_threads():
    """The BLAS thread count NumPy's BLAS uses now (None when it cannot be told)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    for info in threadpool_info():
        if info.get("user_api") == "blas":
            return info.get("num_threads")
    return None


def set_blas_threads(n):
    """Sets NumPy's BLAS thread count (through threadpoolctl); no-op when unchanged."""
    global _controller, _blas_threads
    n = max(1, int(n))
    with _lock:
        if _blas_threads == n:
            return
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return
        if _controller is None:
            _controller = ThreadpoolController()
        _controller.limit(limits=n, user_api="blas")
        _blas_threads = n


def configure_threads(config):
    """Applies a ConfigProto's intra-op setting to BLAS and the convolution kernels."""
    from tensorweave.kernels import conv

    intra = int(getattr(config, "intra_op_parallelism_threads", 0) or 0)
    if intra > 0:
        set_blas_threads(intra)
        conv.set_num_threads(intra)
        return
    conv.set_num_threads(min(cpu_count(), 8))
    if not any(os.environ.get(k) for k in _BLAS_ENV):
        set_blas_threads(1)


def placement_line(op, device=LOCAL_CPU):
    """One line of `log_device_placement` output, in TF's format."""
    return "%s: (%s): %s" % (op.name, op.type, device)


def log_placement(graph, logged):
    """Prints `op: (Type): device` for every op of `graph` not logged yet, as TF's placer.

    TF logs the whole graph at the first run (and new ops when it grows), to stdout, ops with
    inputs first, then the generator ops (no inputs, one output) it places with a consumer.
    """
    ops = [op for op in graph.get_operations() if id(op) not in logged]
    if not ops:
        return
    gen = [op for op in ops if not op._inputs and len(op._outputs) == 1]
    gen_ids = set(map(id, gen))
    lines = [placement_line(op) for op in ops if id(op) not in gen_ids]
    lines += [placement_line(op) for op in gen]
    for op in ops:
        logged.add(id(op))
    print("\n".join(lines), flush=True)
