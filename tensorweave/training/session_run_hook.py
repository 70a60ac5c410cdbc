"""SessionRunHook API: SessionRunHook, SessionRunArgs, SessionRunContext, SessionRunValues."""
import collections


class SessionRunHook:
    """Hook to extend calls to MonitoredSession.run()."""

    def begin(self):
        """Called once before using the session (the graph may still be changed here)."""

    def after_create_session(self, session, coord):
        """Called when a new TensorFlow session is created (graph finalized)."""

    def before_run(self, run_context):
        """Called before each run(); may return SessionRunArgs to add fetches/feeds."""
        return

    def after_run(self, run_context, run_values):
        """Called after each run() with the results of the requested fetches."""

    def end(self, session):
        """Called at the end of the session (not after an exception)."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs",
                                            ["fetches", "feed_dict", "options"])):
    """What a hook adds to a Session.run() call: fetches, feed_dict, options."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunContext:
    """Information about the session.run() call being made (and a way to request a stop)."""

    def __init__(self, original_args, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self):
        return self._stop_requested

    def request_stop(self):
        self._stop_requested = True


class SessionRunValues(collections.namedtuple("SessionRunValues",
                                              ["results", "options", "run_metadata"])):
    """Results of a Session.run() call for one hook's SessionRunArgs."""
