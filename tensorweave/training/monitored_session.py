"""MonitoredSession, SingularMonitoredSession, MonitoredTrainingSession, Scaffold and the
session creators (TF1's training/monitored_session.py semantics).

A monitored session finalizes the graph, creates the session (restoring the latest checkpoint
of `checkpoint_dir` when there is one, else running the initializers), starts the graph's
queue runners under a Coordinator, calls the hooks around every run, recreates the session
after AbortedError/UnavailableError, and on close stops and joins the threads.
"""
import logging
import sys

from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib
from tensorweave.training import basic_session_run_hooks as hooks_lib
from tensorweave.training import coordinator as coordinator_lib
from tensorweave.training import queue_runner
from tensorweave.training.session_run_hook import SessionRunContext, SessionRunValues

_log = logging.getLogger("tensorflow")
_PREEMPTION_ERRORS = (errors.AbortedError, errors.UnavailableError)
USE_DEFAULT = object()


# ===================================================================== Scaffold
class Scaffold:
    """Structure to create or gather pieces commonly needed to train a model."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None,
                 saver=None, copy_from_scaffold=None, local_init_feed_dict=None):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            init_op = init_op or copy_from_scaffold.init_op
            init_feed_dict = init_feed_dict or copy_from_scaffold._init_feed_dict
            init_fn = init_fn or copy_from_scaffold._user_init_fn
            ready_op = ready_op or copy_from_scaffold.ready_op
            ready_for_local_init_op = (ready_for_local_init_op or
                                       copy_from_scaffold.ready_for_local_init_op)
            local_init_op = local_init_op or copy_from_scaffold.local_init_op
            local_init_feed_dict = (local_init_feed_dict or
                                    copy_from_scaffold._local_init_feed_dict)
            summary_op = summary_op or copy_from_scaffold.summary_op
            saver = saver or copy_from_scaffold.saver
        self._user_init_fn = init_fn
        if init_fn:
            self._init_fn = lambda sess: init_fn(self, sess)
        else:
            self._init_fn = None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._local_init_feed_dict = local_init_feed_dict
        self._summary_op = summary_op
        self._saver = saver

    def finalize(self):
        """Creates operations if needed and finalizes the graph."""
        from tensorweave.ops import variables

        g = graph_lib.get_default_graph()
        keys = graph_lib.GraphKeys
        if self._init_op is None:
            self._init_op = _first_or(keys.INIT_OP, variables.global_variables_initializer)
        if self._ready_op is None:
            self._ready_op = _first_or(keys.READY_OP, variables.report_uninitialized_variables)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = _first_or(
                keys.READY_FOR_LOCAL_INIT_OP, lambda: variables.report_uninitialized_variables(
                    variables.global_variables()))
        if self._local_init_op is None:
            self._local_init_op = _first_or(keys.LOCAL_INIT_OP, Scaffold.default_local_init_op)
        if self._summary_op is None:
            self._summary_op = _first_or(keys.SUMMARY_OP, _merge_all_summaries)
        if self._saver is None:
            savers = g.get_collection(keys.SAVERS)
            if savers:
                if len(savers) > 1:
                    raise RuntimeError("More than one item in collection savers. Please "
                                       "indicate which one to use by passing it to the "
                                       "constructor.")
                self._saver = savers[0]
            else:
                from tensorweave.training import saver as saver_lib

                self._saver = saver_lib.Saver(sharded=True, allow_empty=True)
                g.add_to_collection(keys.SAVERS, self._saver)
        g.finalize()
        return self

    @property
    def init_fn(self):
        return self._init_fn

    @property
    def init_op(self):
        return self._init_op

    @property
    def ready_op(self):
        return self._ready_op

    @property
    def ready_for_local_init_op(self):
        return self._ready_for_local_init_op

    @property
    def local_init_op(self):
        return self._local_init_op

    @property
    def local_init_feed_dict(self):
        return self._local_init_feed_dict

    @property
    def summary_op(self):
        return self._summary_op

    @property
    def saver(self):
        return self._saver

    @property
    def init_feed_dict(self):
        return self._init_feed_dict

    @staticmethod
    def get_or_default(arg_name, collection_key, default_constructor):
        elements = graph_lib.get_default_graph().get_collection(collection_key)
        if elements:
            if len(elements) > 1:
                raise RuntimeError("More than one item in the collection \"%s\". Please "
                                   "indicate which one to use by passing it to the tf.Scaffold "
                                   "constructor as:  tf.Scaffold(%s=item to use)" % (
                                       collection_key, arg_name))
            return elements[0]
        op = default_constructor()
        if op is not None:
            graph_lib.get_default_graph().add_to_collection(collection_key, op)
        return op

    @staticmethod
    def default_local_init_op():
        from tensorweave.ops import control_flow_ops, variables

        ops = [variables.local_variables_initializer()]
        ops.extend(graph_lib.get_default_graph().get_collection(
            graph_lib.GraphKeys.TABLE_INITIALIZERS))
        return control_flow_ops.group(*ops)


def _first_or(key, make):
    """The first item of collection `key`, else make() (added to the collection)."""
    g = graph_lib.get_default_graph()
    items = g.get_collection(key)
    if items:
        return items[0]
    v = make()
    if v is not None:
        g.add_to_collection(key, v)
    return v


def _merge_all_summaries():
    g = graph_lib.get_default_graph()
    if not g.get_collection(graph_lib.GraphKeys.SUMMARIES):
        return None
    try:
        from tensorweave.ops import summary_ops

        return summary_ops.merge_all()
    except Exception:
        return None


# ============================================================ session creators
class SessionCreator:
    """A factory for tf.Session."""

    def create_session(self):
        raise NotImplementedError("create_session is not implemented for %s." % self)


def _latest_checkpoint(checkpoint_dir):
    from tensorweave.formats import checkpoint_state

    try:
        return checkpoint_state.latest_checkpoint(checkpoint_dir)
    except Exception:
        return None


def _prepare_session(scaffold, master, config, checkpoint_dir, checkpoint_filename_with_path):
    from tensorweave.runtime import session as session_lib

    sess = session_lib.Session(master, graph=graph_lib.get_default_graph(), config=config)
    restored = False
    ckpt = checkpoint_filename_with_path
    if ckpt is None and checkpoint_dir:
        ckpt = _latest_checkpoint(checkpoint_dir)
    if ckpt and scaffold.saver is not None:
        scaffold.saver.restore(sess, ckpt)
        restored = True
    if not restored:
        if scaffold.init_op is not None:
            sess.run(scaffold.init_op, feed_dict=scaffold.init_feed_dict)
        if scaffold.init_fn:
            scaffold.init_fn(sess)
    if scaffold.local_init_op is not None:
        sess.run(scaffold.local_init_op, feed_dict=scaffold.local_init_feed_dict)
    if scaffold.ready_op is not None:
        not_ready = sess.run(scaffold.ready_op)
        if not_ready is not None and getattr(not_ready, "size", 0):
            names = ", ".join(n.decode() if isinstance(n, bytes) else str(n)
                              for n in not_ready.reshape(-1))
            sess.close()
            raise RuntimeError("Init operations did not make model ready.  Init op: %s, init "
                               "fn: %s, local_init_op: %s, error: Variables not initialized: "
                               "%s" % (_op_name(scaffold.init_op), scaffold.init_fn,
                                       _op_name(scaffold.local_init_op), names))
    return sess


def _op_name(op):
    return getattr(op, "name", op)


class ChiefSessionCreator(SessionCreator):
    """Creates a tf.Session for a chief (restore or initialize)."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config

    def create_session(self):
        self._scaffold.finalize()
        return _prepare_session(self._scaffold, self._master, self._config,
                                self._checkpoint_dir, self._checkpoint_filename_with_path)


class WorkerSessionCreator(SessionCreator):
    """Creates a tf.Session for a worker (local init only; here the same as the chief)."""

    def __init__(self, scaffold=None, master="", config=None, max_wait_secs=30 * 60):
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config
        self._max_wait_secs = max_wait_secs

    def create_session(self):
        self._scaffold.finalize()
        return _prepare_session(self._scaffold, self._master, self._config, None, None)


# ============================================================ wrapped sessions
class _WrappedSession:
    def __init__(self, sess):
        self._sess = sess
        self._wrapped_is_stoppable = isinstance(self._sess, _WrappedSession)

    @property
    def graph(self):
        return self._sess.graph

    @property
    def sess_str(self):
        return self._sess.sess_str

    def should_stop(self):
        if self._check_stop():
            return True
        if self._sess:
            return self._wrapped_is_stoppable and self._sess.should_stop()
        return True

    def _check_stop(self):
        return False

    def close(self):
        if self._sess:
            try:
                self._sess.close()
            except _PREEMPTION_ERRORS as e:
                _log.error("An error occurred when attempting to close the session. This may "
                           "be due to a preemption in a connected worker or parameter server. "
                           "Error: %s", e)
            finally:
                self._sess = None

    def run(self, *args, **kwargs):
        return self._sess.run(*args, **kwargs)

    def run_step_fn(self, step_fn, raw_session, run_with_hooks):
        run_with_hooks = run_with_hooks or self.run
        return step_fn(_StepContext(raw_session, run_with_hooks))


class _CoordinatedSession(_WrappedSession):
    def __init__(self, sess, coord, stop_grace_period_secs=120):
        super().__init__(sess)
        self._coord = coord
        self._stop_grace_period_secs = stop_grace_period_secs

    def _check_stop(self):
        self._coord.raise_requested_exception()
        return self._coord.should_stop()

    def close(self):
        self._coord.request_stop()
        try:
            self._coord.join(stop_grace_period_secs=self._stop_grace_period_secs,
                             ignore_live_threads=True)
        finally:
            try:
                _WrappedSession.close(self)
            except Exception:
                pass

    def run(self, *args, **kwargs):
        try:
            return self._sess.run(*args, **kwargs)
        except _PREEMPTION_ERRORS:
            raise
        except Exception:
            original = sys.exc_info()
            try:
                self._coord.raise_requested_exception()
            except _PREEMPTION_ERRORS:
                raise
            except Exception:
                raise original[1].with_traceback(original[2])
            raise original[1].with_traceback(original[2])


class _CoordinatedSessionCreator(SessionCreator):
    def __init__(self, session_creator, hooks, stop_grace_period_secs):
        self._session_creator = session_creator
        self._hooks = hooks
        self.coord = None
        self.tf_sess = None
        self._stop_grace_period_secs = stop_grace_period_secs

    def create_session(self):
        self.tf_sess = self._session_creator.create_session()
        self.coord = coordinator_lib.Coordinator()
        queue_runner.start_queue_runners(sess=self.tf_sess, coord=self.coord)
        for hook in self._hooks:
            hook.after_create_session(self.tf_sess, self.coord)
        return _CoordinatedSession(_HookedSession(self.tf_sess, self._hooks), self.coord,
                                   self._stop_grace_period_secs)


class _RecoverableSession(_WrappedSession):
    """Recreates the session after AbortedError / UnavailableError."""

    def __init__(self, sess_creator):
        self._sess_creator = sess_creator
        super().__init__(self._create_session())

    def _create_session(self):
        while True:
            try:
                return self._sess_creator.create_session()
            except _PREEMPTION_ERRORS as e:
                _log.info("An error was raised while a session was being created. This may "
                          "be due to a preemption of a connected worker or parameter server. "
                          "A new session will be created. Error: %s", e)

    def _check_stop(self):
        try:
            if self._sess:
                return self._sess._check_stop()
            return True
        except _PREEMPTION_ERRORS as e:
            _log.info("An error was raised while considering whether the session is complete. "
                      "A new session will be created. Error: %s", e)
            self.close()
            self._sess = self._create_session()
            return False
        except Exception:
            return True

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        while True:
            try:
                if not self._sess:
                    self._sess = self._create_session()
                return self._sess.run(fetches, feed_dict=feed_dict, options=options,
                                      run_metadata=run_metadata)
            except _PREEMPTION_ERRORS as e:
                _log.info("An error was raised. This may be due to a preemption in a connected "
                          "worker or parameter server. The current session will be closed and "
                          "a new session will be created. Error: %s", e)
                self.close()
                self._sess = None


class _HookedSession(_WrappedSession):
    """Calls the hooks around every run."""

    def __init__(self, sess, hooks):
        super().__init__(sess)
        self._hooks = hooks
        self._should_stop = False

    def _check_stop(self):
        return self._should_stop

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if self.should_stop():
            raise RuntimeError("Run called even after should_stop requested.")
        actual_fetches = {"caller": fetches}
        run_context = SessionRunContext(original_args=_RunArgs(fetches, feed_dict, options),
                                        session=self._sess)
        options = options or _run_options()
        feed_dict = self._call_hook_before_run(run_context, actual_fetches, feed_dict, options)
        run_metadata = run_metadata if run_metadata is not None else (
            _run_metadata() if _wants_trace(options) else None)
        outputs = self._sess.run(fetches=actual_fetches, feed_dict=feed_dict,
                                 options=options if _nontrivial(options) else None,
                                 run_metadata=run_metadata)
        for hook in self._hooks:
            hook.after_run(run_context, SessionRunValues(
                results=outputs[hook] if hook in outputs else None, options=options,
                run_metadata=run_metadata))
        self._should_stop = self._should_stop or run_context.stop_requested
        return outputs["caller"]

    def _call_hook_before_run(self, run_context, fetch_dict, user_feed_dict, options):
        hook_feeds = {}
        for hook in self._hooks:
            request = hook.before_run(run_context)
            if request is not None:
                if request.fetches is not None:
                    fetch_dict[hook] = request.fetches
                if request.feed_dict:
                    for k in request.feed_dict:
                        if k in hook_feeds:
                            raise RuntimeError("Same tensor is fed by two hooks.")
                    hook_feeds.update(request.feed_dict)
                if request.options:
                    _merge_options(options, request.options)
        if not hook_feeds:
            return user_feed_dict
        if not user_feed_dict:
            return hook_feeds
        for k in user_feed_dict:
            if k in hook_feeds:
                raise RuntimeError("Same tensor is fed by a SessionRunHook and user.")
        merged = dict(user_feed_dict)
        merged.update(hook_feeds)
        return merged


class _RunArgs:
    __slots__ = ("feed_dict", "fetches", "options")

    def __init__(self, fetches, feed_dict, options):
        self.fetches = fetches
        self.feed_dict = feed_dict
        self.options = options


def _run_options():
    from tensorboard.compat.proto import config_pb2

    return config_pb2.RunOptions()


def _run_metadata():
    from tensorboard.compat.proto import config_pb2

    return config_pb2.RunMetadata()


def _merge_options(options, incoming):
    options.trace_level = max(options.trace_level, incoming.trace_level)
    options.timeout_in_ms = max(options.timeout_in_ms, incoming.timeout_in_ms)
    options.output_partition_graphs = max(options.output_partition_graphs,
                                          incoming.output_partition_graphs)


def _wants_trace(options):
    return options is not None and options.trace_level > 0


def _nontrivial(options):
    return options is not None and (options.trace_level > 0 or options.timeout_in_ms > 0 or
                                    options.output_partition_graphs)


class _StepContext:
    """Control flow instrument for the `step_fn` of `run_step_fn()`."""

    def __init__(self, session, run_with_hooks_fn):
        self._session = session
        self._run_with_hooks_fn = run_with_hooks_fn

    @property
    def session(self):
        return self._session

    def run_with_hooks(self, *args, **kwargs):
        return self._run_with_hooks_fn(*args, **kwargs)

    def request_stop(self):
        raise StopIteration("step_fn has requested the iterations to stop.")


# ============================================================ MonitoredSession
class _MonitoredSession:
    def __init__(self, session_creator, hooks, should_recover, stop_grace_period_secs=120):
        self._graph_was_finalized = graph_lib.get_default_graph().finalized
        self._hooks = list(hooks or [])
        for h in self._hooks:
            h.begin()
        self._graph = graph_lib.get_default_graph()
        self._coordinated_creator = _CoordinatedSessionCreator(
            session_creator=session_creator or ChiefSessionCreator(), hooks=self._hooks,
            stop_grace_period_secs=stop_grace_period_secs)
        if should_recover:
            self._sess = _RecoverableSession(self._coordinated_creator)
        else:
            self._sess = self._coordinated_creator.create_session()

    @property
    def graph(self):
        return self._graph

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` with the hooks (see tf.Session.run)."""
        return self._sess.run(fetches, feed_dict=feed_dict, options=options,
                              run_metadata=run_metadata)

    def run_step_fn(self, step_fn):
        step_fn_arguments = step_fn.__code__.co_varnames[:step_fn.__code__.co_argcount]
        if step_fn_arguments != ("step_context",) and step_fn_arguments != (
                "self", "step_context"):
            raise ValueError("`step_fn` may either have one `step_context` argument, or "
                             "`self` and `step_context` arguments if it's an instance "
                             f"method. Got {step_fn_arguments} instead.")
        try:
            return step_fn(_StepContext(self._tf_sess(), self.run))
        except StopIteration:
            self._close_internal()
            return None

    def should_stop(self):
        return self._sess is None or self._sess.should_stop()

    def close(self):
        self._close_internal()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        if exception_type in (errors.OutOfRangeError, StopIteration):
            exception_type = None
        self._close_internal(exception_type)
        return exception_type is None

    def _close_internal(self, exception_type=None):
        try:
            if not exception_type and self._sess is not None:
                tf_sess = self._tf_sess()
                if tf_sess is not None:
                    for h in self._hooks:
                        h.end(tf_sess)
        finally:
            try:
                if self._sess is None:
                    raise RuntimeError("Session is already closed.")
                self._sess.close()
            finally:
                self._sess = None
                self._coordinated_creator.tf_sess = None
                self._coordinated_creator.coord = None
                if not self._graph_was_finalized:
                    self._graph._unsafe_unfinalize()

    def _is_closed(self):
        return self._sess is None

    def _tf_sess(self):
        return self._coordinated_creator.tf_sess


class MonitoredSession(_MonitoredSession):
    """Session-like object that handles initialization, recovery and hooks."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        super().__init__(session_creator, hooks, should_recover=True,
                         stop_grace_period_secs=stop_grace_period_secs)


class SingularMonitoredSession(_MonitoredSession):
    """A MonitoredSession for a single process (no recovery; has raw_session())."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None, checkpoint_dir=None,
                 stop_grace_period_secs=120, checkpoint_filename_with_path=None):
        session_creator = ChiefSessionCreator(
            scaffold=scaffold, master=master, config=config, checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(session_creator, hooks, should_recover=False,
                         stop_grace_period_secs=stop_grace_period_secs)

    def raw_session(self):
        return self._tf_sess()


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None, scaffold=None,
                             hooks=None, chief_only_hooks=None, save_checkpoint_secs=USE_DEFAULT,
                             save_summaries_steps=USE_DEFAULT, save_summaries_secs=USE_DEFAULT,
                             config=None, stop_grace_period_secs=120, log_step_count_steps=100,
                             max_wait_secs=7200, save_checkpoint_steps=USE_DEFAULT,
                             summary_dir=None, save_graph_def=True):
    """Creates a MonitoredSession for training (checkpoints, summaries, step counter)."""
    if save_summaries_steps == USE_DEFAULT and save_summaries_secs == USE_DEFAULT:
        save_summaries_steps = 100
        save_summaries_secs = None
    elif save_summaries_secs == USE_DEFAULT:
        save_summaries_secs = None
    elif save_summaries_steps == USE_DEFAULT:
        save_summaries_steps = None
    if save_checkpoint_steps == USE_DEFAULT and save_checkpoint_secs == USE_DEFAULT:
        save_checkpoint_steps = None
        save_checkpoint_secs = 600
    elif save_checkpoint_secs == USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps == USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    if not is_chief:
        session_creator = WorkerSessionCreator(scaffold=scaffold, master=master, config=config,
                                               max_wait_secs=max_wait_secs)
        return MonitoredSession(session_creator=session_creator, hooks=hooks or [],
                                stop_grace_period_secs=stop_grace_period_secs)
    all_hooks = []
    if chief_only_hooks:
        all_hooks.extend(chief_only_hooks)
    session_creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir,
                                          master=master, config=config)
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            from tensorweave.training import training_util

            training_util.get_or_create_global_step()
            all_hooks.append(hooks_lib.StepCounterHook(output_dir=summary_dir,
                                                       every_n_steps=log_step_count_steps))
        if (save_summaries_steps and save_summaries_steps > 0) or (
                save_summaries_secs and save_summaries_secs > 0):
            all_hooks.append(hooks_lib.SummarySaverHook(
                scaffold=scaffold, save_steps=save_summaries_steps,
                save_secs=save_summaries_secs, output_dir=summary_dir))
    if checkpoint_dir:
        if (save_checkpoint_secs and save_checkpoint_secs > 0) or (
                save_checkpoint_steps and save_checkpoint_steps > 0):
            all_hooks.append(hooks_lib.CheckpointSaverHook(
                checkpoint_dir, save_steps=save_checkpoint_steps,
                save_secs=save_checkpoint_secs, scaffold=scaffold,
                save_graph_def=save_graph_def))
    if hooks:
        all_hooks.extend(hooks)
    return MonitoredSession(session_creator=session_creator, hooks=all_hooks,
                            stop_grace_period_secs=stop_grace_period_secs)
