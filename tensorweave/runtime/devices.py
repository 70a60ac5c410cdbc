"""The devices a local session has (one CPU), placement logging, and thread settings.

Thread settings follow ConfigProto:
- `intra_op_parallelism_threads` (0 = automatic): threads one kernel may use.  Convolutions
  split their batch and big float32 MatMuls their output columns over that many threads of
  their own (sleeping when idle); BLAS gets that many threads when it is set explicitly.
  Automatic means: convolutions and MatMuls use the cores other processes leave idle (sampled
  from /proc/stat every 0.1 s, see conv._spare_threads) and BLAS runs single-threaded,
  because a BLAS library's spinning workers collapse on a loaded machine (a 100x784x500 GEMM
  goes from 0.6 ms to 16 ms on 2 busy cores) while our own split (workers taking blocks as
  they come free, robust to a descheduled thread) already keeps the cores busy.  An
  OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS set by the user is left alone in
  automatic mode.
- `inter_op_parallelism_threads` (0 = serial here): independent ready kernels of one step
  run concurrently on a pool of that many threads (see executor.ParallelRunner).
"""
import collections
import functools
import os
import threading

import numpy as np

from tensorweave.runtime.executor import LOCAL_CPU

_DeviceAttributes = collections.namedtuple(
    "_DeviceAttributes", ["name", "device_type", "memory_limit_bytes", "incarnation"])


def list_session_devices():
    return [_DeviceAttributes(LOCAL_CPU, "CPU", 268435456, 0)]


class DeviceAttributes:
    """device_lib's DeviceAttributes (TF's proto fields; prints as its text format)."""

    def __init__(self, name, device_type, memory_limit, incarnation, physical_device_desc=""):
        self.name = name
        self.device_type = device_type
        self.memory_limit = memory_limit
        self.incarnation = incarnation
        self.physical_device_desc = physical_device_desc
        self.xla_global_id = -1

    def __str__(self):
        return ('name: "%s"\ndevice_type: "%s"\nmemory_limit: %d\nlocality {\n}\n'
                "incarnation: %d\nxla_global_id: %d\n" % (
                    self.name, self.device_type, self.memory_limit, self.incarnation,
                    self.xla_global_id))

    __repr__ = __str__


_INCARNATION = int.from_bytes(os.urandom(8), "little") >> 1


def list_local_devices(session_config=None):
    """tensorflow.python.client.device_lib.list_local_devices(): this machine's CPU."""
    return [DeviceAttributes("/device:CPU:0", "CPU", 268435456, _INCARNATION)]


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


_ALLOCATOR_TUNED = [False]
# glibc mallopt parameters (malloc.h): M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3


def tune_allocator():
    """Keeps freed tensor buffers (< 64 MB) in the heap instead of returning them to the OS.

    By default glibc serves every allocation above ~128 KB-32 MB with a fresh mmap, so each
    step's intermediates page-fault in again (a 784x500 float32 gradient: 384 faults plus the
    kernel zeroing it); a training step then spends more time faulting than in its small
    GEMMs.  TF avoids this with its own allocator.  Done once per process, only on glibc, and
    never when the user set MALLOC_* tunables or TENSORWEAVE_MALLOC_TUNING=0.
    """
    if _ALLOCATOR_TUNED[0]:
        return
    _ALLOCATOR_TUNED[0] = True
    if os.environ.get("TENSORWEAVE_MALLOC_TUNING", "1") == "0" or any(
            k.startswith("MALLOC_") or k == "GLIBC_TUNABLES" for k in os.environ):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 64 << 20)
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)
    mallopt(_M_TOP_PAD, 16 << 20)


def configure_threads(config):
    """Applies a ConfigProto's intra-op setting to BLAS and the convolution kernels."""
    from tensorweave.kernels import conv

    tune_allocator()
    intra = int(getattr(config, "intra_op_parallelism_threads", 0) or 0)
    if intra > 0:
        set_blas_threads(intra)
        conv.set_num_threads(intra)
        return
    conv.set_num_threads(min(cpu_count(), 8), auto=True)
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


# ------------------------------------------------------------------ intra-op matmul
_SPLIT_MIN_MACS = 4 << 20


def intra_op_kernel(op, fn):
    """The kernel to run for `op`: big MatMuls split their output columns over the
    intra-op threads (each block is the same BLAS dot products, so the numbers do not change);
    everything else runs as registered."""
    if op.type != "MatMul":
        return fn
    a, b = op.inputs[0].shape, op.inputs[1].shape
    if not (a.is_fully_defined() and b.is_fully_defined()) or a.ndims != 2:
        # Batch dims unknown: decide per call from the arrays.
        macs = None
    else:
        ta, tb = op._attrs.get("transpose_a"), op._attrs.get("transpose_b")
        m, k = (a[1], a[0]) if ta else (a[0], a[1])
        n = b[0] if tb else b[1]
        macs = int(m) * int(k) * int(n)
        if macs < _SPLIT_MIN_MACS:
            return fn
    if op.inputs[0].dtype.base_dtype.name != "float32":
        return fn
    ta = bool(op._attrs.get("transpose_a"))
    tb = bool(op._attrs.get("transpose_b"))
    return functools.partial(_split_matmul, fn, ta, tb)


def _split_matmul(fn, ta, tb, a, b):
    from tensorweave.kernels import conv

    x = a.T if ta else a
    y = b.T if tb else b
    if (x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0] or x.dtype != _F32 or
            y.dtype != _F32 or conv._NUM_THREADS < 2):
        return fn(a, b)
    m, k = x.shape
    n = y.shape[1]
    step, nblocks = _column_blocks(m, k, n, conv._NUM_THREADS)
    if nblocks < 2 or np.may_share_memory(x, y):  # x @ x.T: NumPy may call syrk
        return fn(a, b)
    mod = _intra()
    if mod is not None:
        # NumPy's own BLAS call per column block, from C threads (see native/_intra.c).
        ax, tx = _blas_operand(x)
        ay, ty = _blas_operand(y)
        if ax is not None and ay is not None:
            # Steal mode: workers compute into scratch, and the caller takes back a block
            # a worker was descheduled in (it waits ~2 blocks' time, not a time slice).
            t = conv._threads_for(m * k * n, nblocks)
            spin = 0.0 if conv._LOAD.get("saturated") and conv._AUTO else _SPIN_US
            if _SPIN[0] != spin:
                mod.set_spin(spin)
                _SPIN[0] = spin
            out = np.empty((m, n), dtype=x.dtype)
            mod.gemm(False, tx, ty, m, n, k, ax, ax.shape[1], ay, ay.shape[1], out, n, step,
                     nblocks, t, True)
            return out
    out = np.empty((m, n), dtype=x.dtype)
    blocks = [(j * step, n if j == nblocks - 1 else (j + 1) * step) for j in range(nblocks)]

    def block(j0, j1):
        np.matmul(x, y[:, j0:j1], out=out[:, j0:j1])

    conv._run_chunks(block, blocks, m * k * n)
    return out


_F32 = np.dtype(np.float32)
# Every block of a split is at least this many multiply-adds: OpenBLAS computes smaller
# float32 GEMMs with other kernels (other summation order), so a split with a smaller block
# would not give the full GEMM's bits.  (Float64 GEMMs differ with the split whatever the
# block size, so they are never split.)
_BLOCK_MIN_MACS = 2 << 20


def _column_blocks(m, k, n, threads):
    """(step, count): `count` blocks of `step` output columns (multiples of 16; the last
    block takes the rest), about two per thread, each at least _BLOCK_MIN_MACS; fixed by the
    shapes and the thread setting, never by the load."""
    if m < 2 or k < 2 or n < 64 or m * k * n < _SPLIT_MIN_MACS:
        return n, 1
    step = max(16, -(-n // (2 * threads)), -(-_BLOCK_MIN_MACS // (m * k)))
    step = -(-step // 16) * 16
    count = -(-n // step)
    last = n - (count - 1) * step
    if count > 1 and (last < 16 or m * k * last < _BLOCK_MIN_MACS):
        count -= 1  # a small remainder joins the last block
    return step, count


_INTRA = [False, None]  # [looked up, module]
# Idle native workers spin this long for the next GEMM before they sleep (microseconds).
# With other processes on part of the cores the load policy runs GEMMs serially (measured:
# a split is slower there), so workers get no jobs and sleep.
_SPIN_US = 1000.0  # 0 while the machine is saturated (then spinning only eats our share)
_SPIN = [None]


def _blas_operand(x):
    """(C-contiguous array, transposed?) describing the 2-D view `x` as BLAS sees it."""
    if x.flags.c_contiguous:
        return x, False
    if x.T.flags.c_contiguous:
        return x.T, True
    return None, False


def _numpy_gemm_addresses():
    """Addresses of the ILP64 cblas_sgemm/cblas_dgemm NumPy's matmul calls, or None.

    Only NumPy builds on scipy-openblas (the PyPI wheels) are recognised: their CBLAS
    symbols are scipy_cblas_?gemm64_ with 64-bit integers.  Anything else (MKL, Accelerate,
    a 32-bit-integer OpenBLAS) keeps the Python split.
    """
    import ctypes

    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        if blas.get("name") != "scipy-openblas" or "USE64BITINT" not in str(
                blas.get("openblas configuration", "")):
            return None
        with open("/proc/self/maps") as f:
            paths = sorted({line.split(None, 5)[-1].strip() for line in f
                            if "libscipy_openblas64_" in line})
        for path in paths:
            lib = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
            s = ctypes.cast(lib.scipy_cblas_sgemm64_, ctypes.c_void_p).value
            d = ctypes.cast(lib.scipy_cblas_dgemm64_, ctypes.c_void_p).value
            if s and d:
                return s, d
    except (AttributeError, KeyError, OSError, TypeError, ValueError):
        pass
    return None


def _intra():
    if not _INTRA[0]:
        from tensorweave import native

        mod = native.load("_intra")
        addrs = _numpy_gemm_addresses() if mod is not None else None
        if addrs is not None:
            mod.set_blas(*addrs)
            mod.set_spin(_SPIN_US)
            _SPIN[0] = _SPIN_US
            _INTRA[1] = mod
        _INTRA[0] = True
    return _INTRA[1]
