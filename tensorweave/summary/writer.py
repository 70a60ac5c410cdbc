"""tf.summary.FileWriter and FileWriterCache (TF1's SummaryToEventTransformer behaviour).

A FileWriter wraps summaries, graphs, meta graphs, run metadata and session logs in `Event`
protos, stamps wall time and step, and hands them to an EventFileWriter (background thread,
bounded queue, periodic flush; tensorweave/formats/events.py). Passing a graph writes the
GraphDef (with `_output_shapes`) and then a MetaGraphDef, as TF does. After `close()` the
writer warns and ignores further events until `reopen()`, as TF1's does.
"""
import os
import threading
import time
import warnings

from tensorboard.compat.proto import event_pb2, graph_pb2, meta_graph_pb2, summary_pb2

from tensorweave.formats.events import EventFileWriter
from tensorweave.framework import graph as graph_lib

_log = __import__("logging").getLogger("tensorweave")
_CLOSED_WARNING = ("Attempting to use a closed FileWriter. The operation will be a noop unless "
                   "the FileWriter is explicitly reopened.")


class FileWriter:
    """Writes `Summary` protos and other events to an event file in `logdir`.

    FileWriter(logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
    filename_suffix=None, session=None). `session` is accepted for TF1 compatibility; events
    still go to this writer's own file.
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None, session=None):
        if logdir is None or (isinstance(logdir, str) and not logdir):
            raise ValueError("FileWriter needs a logdir (a directory path), got %r" % (logdir,))
        self.event_writer = EventFileWriter(os.fspath(logdir), max_queue, flush_secs,
                                            filename_suffix)
        self._closed = False
        self._session_run_tags = {}
        if graph is not None or graph_def is not None:
            self.add_graph(graph=graph, graph_def=graph_def)
            maybe_def = (graph.as_graph_def(add_shapes=True)
                         if isinstance(graph, graph_lib.Graph) else graph)
            from tensorweave.framework import meta_graph

            self.add_meta_graph(meta_graph.create_meta_graph_def(
                graph_def=graph_def if isinstance(graph_def, graph_pb2.GraphDef) else maybe_def,
                graph=graph if isinstance(graph, graph_lib.Graph) else None))
        self._seen_summary_tags = set()

    # -------------------------------------------------------------- events
    def _warn_if_closed(self):
        if self._closed:
            warnings.warn(_CLOSED_WARNING)

    def _add_event(self, event, step):
        self._warn_if_closed()
        event.wall_time = time.time()
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None):
        """Adds a `Summary` (proto or its serialized bytes, e.g. a summary op's result).

        As in TF, a value's SummaryMetadata is written only the first time its tag is seen."""
        if isinstance(summary, (bytes, bytearray, memoryview)):
            summary = summary_pb2.Summary.FromString(bytes(summary))
        elif hasattr(summary, "item") and not isinstance(summary, summary_pb2.Summary):
            summary = summary_pb2.Summary.FromString(summary.item())  # 0-d numpy result
        elif not isinstance(summary, summary_pb2.Summary):
            raise TypeError("add_summary expects a Summary proto or its serialized bytes (the "
                            "result of running a summary op), got %s" % type(summary).__name__)
        for value in summary.value:
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")
            else:
                self._seen_summary_tags.add(value.tag)
        self._add_event(event_pb2.Event(summary=summary), global_step)

    def add_session_log(self, session_log, global_step=None):
        """Adds a `SessionLog` (START/STOP/CHECKPOINT) event."""
        self._add_event(event_pb2.Event(session_log=session_log), global_step)

    def _add_graph_def(self, graph_def, global_step=None):
        self._add_event(event_pb2.Event(graph_def=graph_def.SerializeToString()), global_step)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Adds a Graph (as its GraphDef with shapes) or a GraphDef for TensorBoard's graph
        view."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        if isinstance(graph, graph_lib.Graph) or isinstance(graph_def, graph_lib.Graph):
            if not isinstance(graph, graph_lib.Graph):
                _log.warning("When passing a `Graph` object, please use the `graph` named "
                             "argument instead of `graph_def`.")
                graph = graph_def
            true_graph_def = graph.as_graph_def(add_shapes=True)
        elif isinstance(graph, graph_pb2.GraphDef) or isinstance(graph_def, graph_pb2.GraphDef):
            _log.warning("Passing a `GraphDef` to the SummaryWriter is deprecated. Pass a "
                         "`Graph` object instead, such as `sess.graph`.")
            true_graph_def = graph if isinstance(graph, graph_pb2.GraphDef) else graph_def
        else:
            raise TypeError("The passed graph must be an instance of `Graph` or the deprecated "
                            "`GraphDef`")
        self._add_graph_def(true_graph_def, global_step)

    def add_meta_graph(self, meta_graph_def, global_step=None):
        """Adds a MetaGraphDef (e.g. from `saver.export_meta_graph()`)."""
        if not isinstance(meta_graph_def, meta_graph_pb2.MetaGraphDef):
            raise TypeError("meta_graph_def must be type MetaGraphDef, saw type: %s" %
                            type(meta_graph_def))
        self._add_event(event_pb2.Event(meta_graph_def=meta_graph_def.SerializeToString()),
                        global_step)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """Adds the RunMetadata of one Session.run (step stats: compute time and memory per
        node in TensorBoard's graph view) under `tag`, unique per writer."""
        if tag in self._session_run_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._session_run_tags[tag] = True
        tagged = event_pb2.TaggedRunMetadata(tag=tag,
                                             run_metadata=run_metadata.SerializeToString())
        self._add_event(event_pb2.Event(tagged_run_metadata=tagged), global_step)

    def add_event(self, event):
        """Adds an `Event` proto as given."""
        self._warn_if_closed()
        self.event_writer.add_event(event)

    # ----------------------------------------------------------- lifetime
    def get_logdir(self):
        """The directory the event file is written to."""
        return self.event_writer.get_logdir()

    def flush(self):
        """Writes every pending event to disk."""
        self._warn_if_closed()
        self.event_writer.flush()

    def close(self):
        """Flushes and closes the event file; later events are ignored until `reopen()`."""
        self.event_writer.close()
        self._closed = True

    def reopen(self):
        """After `close()`, continues in a new event file in the same logdir."""
        self.event_writer.reopen()
        self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FileWriterCache:
    """One FileWriter per logdir, shared (tf.summary.FileWriterCache)."""

    _cache: "dict[str, FileWriter]" = {}  # noqa: RUF012 - TF's class-level cache
    _lock = threading.RLock()

    @staticmethod
    def clear():
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for item in FileWriterCache._cache.values():
                item.close()
            FileWriterCache._cache = {}

    @staticmethod
    def get(logdir):
        """The FileWriter of `logdir` (created with the default graph on first use)."""
        with FileWriterCache._lock:
            if logdir not in FileWriterCache._cache:
                FileWriterCache._cache[logdir] = FileWriter(
                    logdir, graph=graph_lib.get_default_graph())
            return FileWriterCache._cache[logdir]
