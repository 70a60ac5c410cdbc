"""Per-thread deadlines for blocking kernels (RunOptions.timeout_in_ms).

`Session.run` wraps a plan run in `deadline(ms)`; blocking kernels (queue enqueue/dequeue,
reader reads, iterator waits) call `wait(cond, predicate, what)` instead of waiting forever,
so a step past its deadline raises DeadlineExceededError in the thread that ran it.
"""
import contextlib
import threading
import time

from tensorweave.framework import errors

_local = threading.local()


@contextlib.contextmanager
def deadline(ms):
    """Sets this thread's deadline to `ms` milliseconds from now (None or <= 0: none)."""
    prev = getattr(_local, "at", None)
    at = None if not ms or ms <= 0 else time.monotonic() + ms / 1000.0
    if prev is not None and (at is None or prev < at):
        at = prev
    _local.at = at
    try:
        yield
    finally:
        _local.at = prev


def remaining():
    """Seconds left before this thread's deadline, or None when it has none."""
    at = getattr(_local, "at", None)
    if at is None:
        return None
    return at - time.monotonic()


def wait(cond, predicate, poll=None):
    """Waits on threading.Condition `cond` (held) until predicate() is true.

    Raises DeadlineExceededError when this thread's deadline passes first.
    """
    while not predicate():
        left = remaining()
        if left is not None:
            if left <= 0:
                raise errors.DeadlineExceededError(
                    None, None, "Timed out waiting for notification")
            cond.wait(left if poll is None else min(left, poll))
        else:
            cond.wait(poll)
