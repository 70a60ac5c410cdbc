"""Event files: TFRecord-framed `Event` protos, as TF's EventsWriter and summary_iterator.

File name `<logdir>/events.out.tfevents.<10-digit unix seconds>.<hostname><suffix>`; the first
record is Event{wall_time, file_version="brain.Event:2"}. Writing happens on a daemon thread
fed by a bounded queue, flushing every `flush_secs`; errors on that thread are re-raised to the
caller on its next call.
"""
import atexit
import os
import queue
import socket
import threading
import time
import weakref

from tensorboard.compat.proto import event_pb2

from tensorweave.formats.tfrecord import RecordReader, encode_record
from tensorweave.framework import errors

FILE_VERSION = "brain.Event:2"
_STOP = object()
_live_writers = weakref.WeakSet()


def _os_error(path, exc, what):
    """Maps an OSError to the TF error class a user expects, naming the path."""
    msg = "%s %s: %s" % (what, path, exc.strerror or exc)
    if isinstance(exc, PermissionError):
        return errors.PermissionDeniedError(None, None, msg)
    if isinstance(exc, FileNotFoundError):
        return errors.NotFoundError(None, None, msg)
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return errors.FailedPreconditionError(None, None, msg + " (a file is in the way)")
    return errors.UnknownError(None, None, msg)


class EventFileWriter:
    """Writes Event protos to a new event file in `logdir`, as TF1's EventFileWriter.

    `add_event` queues (blocking when `max_queue` events are pending); a background thread
    writes each event as one TFRecord and flushes every `flush_secs` seconds. `flush()` waits
    until every queued event is written and flushed; `close()` also ends the thread;
    `reopen()` starts a new file after `close()`. If a file of the same name exists (two
    writers within one second) it is appended to rather than overwritten.
    """

    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=None):
        self._logdir = os.fspath(logdir)
        self._max_queue = max_queue
        self._flush_secs = flush_secs
        self._suffix = filename_suffix or ""
        self._closed = True
        self._open()
        _live_writers.add(self)

    def _open(self):
        try:
            os.makedirs(self._logdir, exist_ok=True)
        except OSError as e:
            raise _os_error(self._logdir, e, "Cannot create log directory") from None
        now = time.time()
        name = "events.out.tfevents.%010d.%s%s" % (int(now), socket.gethostname(), self._suffix)
        self._path = os.path.join(self._logdir, name)
        try:
            self._file = open(self._path, "ab")
        except OSError as e:
            raise _os_error(self._path, e, "Cannot open event file") from None
        self._lock = threading.Lock()
        self._error = None
        self._queue = queue.Queue(self._max_queue)
        # The version record goes out (and to disk) at once, so even an empty run leaves a
        # valid event file behind.
        self._write(event_pb2.Event(wall_time=now, file_version=FILE_VERSION))
        self._flush_file()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="EventFileWriter",
                                        daemon=True)
        self._thread.start()

    def get_logdir(self):
        """The directory events are written to."""
        return self._logdir

    @property
    def path(self):
        """The current event file's path."""
        return self._path

    def _write(self, event):
        with self._lock:
            self._file.write(encode_record(event.SerializeToString()))

    def _flush_file(self):
        with self._lock:
            self._file.flush()

    def _run(self):
        next_flush = time.time() + self._flush_secs
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, next_flush - time.time()))
            except queue.Empty:
                item = None
            try:
                if item is _STOP:
                    return
                if self._error is None:
                    if item is not None:
                        self._write(item)
                    if time.time() >= next_flush:
                        self._flush_file()
                        next_flush = time.time() + self._flush_secs
            except Exception as e:  # handed to the caller on its next call
                self._error = e
            finally:
                if item is not None:
                    self._queue.task_done()

    def _check_error(self):
        err = self._error
        if err is not None:
            self._error = None
            if isinstance(err, OSError):
                raise _os_error(self._path, err, "Error writing event file") from err
            raise err

    def add_event(self, event):
        """Queues an Event proto for writing (ignored after close(), as in TF)."""
        self._check_error()
        if not self._closed:
            self._queue.put(event)

    def flush(self):
        """Writes every queued event and flushes the file to the OS."""
        if self._closed:
            return
        self._queue.join()
        self._check_error()
        try:
            self._flush_file()
        except OSError as e:
            raise _os_error(self._path, e, "Error flushing event file") from None

    def close(self):
        """Flushes, stops the writer thread and closes the file. Idempotent."""
        if self._closed:
            return
        try:
            self._queue.join()
        finally:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()
            try:
                self._file.close()
            except OSError as e:
                self._error = self._error or e
        self._check_error()

    def reopen(self):
        """After close(), starts writing to a new event file in the same logdir."""
        if self._closed:
            self._open()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@atexit.register
def _close_all():
    # Daemon threads die with the interpreter; flush what user code forgot to close.
    for w in list(_live_writers):
        try:
            w.close()
        except Exception:
            pass


def summary_iterator(path):
    """Yields the Event protos of an event file; stops cleanly at a truncated last record
    (a file still being written, or cut by a crash). Corrupted records raise DataLossError."""
    with RecordReader(path, allow_truncated_tail=True) as reader:
        for record in reader:
            yield event_pb2.Event.FromString(record)
