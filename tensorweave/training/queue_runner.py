"""tf.train.QueueRunner, add_queue_runner and start_queue_runners."""
import logging
import threading
import weakref

from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib

_log = logging.getLogger("tensorflow")


class QueueRunner:
    """Holds a list of enqueue ops for a queue, each run in its own thread."""

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None, queue_runner_def=None, import_scope=None):
        if queue_runner_def is not None:
            raise NotImplementedError("QueueRunner(queue_runner_def=...) is not supported yet")
        if not queue or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op
        self._cancel_op = cancel_op
        if queue_closed_exception_types is not None:
            if not isinstance(queue_closed_exception_types, tuple) or not all(
                    issubclass(t, errors.OutOfRangeError) or issubclass(t, errors.OpError)
                    for t in queue_closed_exception_types):
                raise TypeError("queue_closed_exception_types, when provided, must be a tuple "
                                "of tf.error types, but saw: %s" %
                                (queue_closed_exception_types,))
        self._queue_closed_exception_types = (
            (errors.OutOfRangeError,) if queue_closed_exception_types is None
            else tuple(queue_closed_exception_types))
        if self._close_op is None:
            self._close_op = self._queue.close()
        if self._cancel_op is None:
            self._cancel_op = self._queue.close(cancel_pending_enqueues=True)
        self._lock = threading.Lock()
        self._runs_per_session = weakref.WeakKeyDictionary()
        self._exceptions_raised = []

    @property
    def queue(self):
        return self._queue

    @property
    def enqueue_ops(self):
        return self._enqueue_ops

    @property
    def close_op(self):
        return self._close_op

    @property
    def cancel_op(self):
        return self._cancel_op

    @property
    def queue_closed_exception_types(self):
        return self._queue_closed_exception_types

    @property
    def exceptions_raised(self):
        return self._exceptions_raised

    @property
    def name(self):
        return self._queue.name

    def _run(self, sess, enqueue_op, coord=None):
        decremented = False
        try:
            while True:
                if coord and coord.should_stop():
                    break
                try:
                    sess.run(enqueue_op)
                except self._queue_closed_exception_types:
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        if self._runs_per_session[sess] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception as e:
                                _log.debug("Ignored exception: %s", e)
                        return
        except Exception as e:
            if coord:
                coord.request_stop(e)
            else:
                _log.error("Exception in QueueRunner: %s", e)
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess, cancel_op, coord):
        coord.wait_for_stop()
        try:
            sess.run(cancel_op)
        except Exception as e:
            _log.debug("Ignored exception: %s", e)

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """Creates (and optionally starts) one thread per enqueue op (+ a cancel thread)."""
        with self._lock:
            try:
                if self._runs_per_session[sess] > 0:
                    return []
            except KeyError:
                pass
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        ret_threads = [threading.Thread(target=self._run, args=(sess, op, coord),
                                        name="QueueRunnerThread-%s-%s" % (self.name, op.name))
                       for op in self._enqueue_ops]
        if coord:
            ret_threads.append(threading.Thread(
                target=self._close_on_stop, args=(sess, self._cancel_op, coord),
                name="QueueRunnerThread-%s-close_on_stop" % self.name))
        for t in ret_threads:
            if coord:
                coord.register_thread(t)
            if daemon:
                t.daemon = True
            if start:
                t.start()
        return ret_threads

    def to_proto(self, export_scope=None):
        return None

    @staticmethod
    def from_proto(queue_runner_def, import_scope=None):
        return QueueRunner(queue_runner_def=queue_runner_def, import_scope=import_scope)


def add_queue_runner(qr, collection=graph_lib.GraphKeys.QUEUE_RUNNERS):
    """Adds a QueueRunner to a collection in the graph (default QUEUE_RUNNERS)."""
    graph_lib.get_default_graph().add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True,
                        collection=graph_lib.GraphKeys.QUEUE_RUNNERS):
    """Starts all queue runners collected in the graph; returns the list of threads."""
    from tensorweave.runtime import session as session_lib

    if sess is None:
        sess = session_lib.get_default_session()
        if not sess:
            raise ValueError("Cannot start queue runners: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    if not hasattr(sess, "graph") or sess.graph is None:
        raise TypeError("sess must be a `tf.Session` object. Given class: %s" % sess.__class__)
    with sess.graph.as_default():
        threads = []
        for qr in sess.graph.get_collection(collection):
            threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
