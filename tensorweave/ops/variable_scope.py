"""Variable scopes and tf.get_variable, as TF1 (`tensorflow/python/ops/variable_scope.py`).

Per graph there is one variable store (full name -> Variable, for sharing) and, per thread, a
variable-scope store (the current VariableScope and how often each scope name was opened, to
uniquify `default_name` scopes). `tf.variable_scope` opens a name scope for ops and a
variable scope for `tf.get_variable` names; reopening a scope object reuses its variable
names but opens a fresh (uniquified) name scope for ops.
"""
import enum
import functools
import inspect
import threading
import traceback

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.ops import init_ops
from tensorweave.ops import variables as variables_lib

GraphKeys = graph_lib.GraphKeys
_VARSTORE_KEY = ("__variable_store",)
_VARSCOPESTORE_KEY = ("__varscope",)


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


def no_regularizer(_):
    """A regularizer that adds nothing (use to switch off a scope's regularizer)."""
    return None


# ---------------------------------------------------------------- VariableScope
class VariableScope:
    """The defaults for tf.get_variable under one `tf.variable_scope`."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None, name_scope="",
                 dtype=dtypes.float32, use_resource=None, constraint=None):
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    @property
    def name(self):
        return self._name

    @property
    def original_name_scope(self):
        return self._name_scope

    @property
    def reuse(self):
        return self._reuse

    @property
    def initializer(self):
        return self._initializer

    @property
    def dtype(self):
        return self._dtype

    @property
    def use_resource(self):
        return self._use_resource

    @property
    def regularizer(self):
        return self._regularizer

    @property
    def caching_device(self):
        return self._caching_device

    @property
    def partitioner(self):
        return self._partitioner

    @property
    def custom_getter(self):
        return self._custom_getter

    @property
    def constraint(self):
        return self._constraint

    def reuse_variables(self):
        """From now on, tf.get_variable in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_dtype(self, dtype):
        self._dtype = dtype

    def set_use_resource(self, use_resource):
        self._use_resource = use_resource

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_caching_device(self, caching_device):
        self._caching_device = caching_device

    def set_partitioner(self, partitioner):
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter):
        self._custom_getter = custom_getter

    def get_collection(self, name):
        scope = self._name + "/" if self._name else ""
        return graph_lib.get_collection(name, scope)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store, name, shape=None, dtype=None, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        """Gets an existing variable `<scope>/<name>` or creates it with this scope's
        defaults."""
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if partitioner is None:
            partitioner = self._partitioner
        if custom_getter is None:
            custom_getter = self._custom_getter
        if reuse is None:
            reuse = self._reuse
        if use_resource is None:
            use_resource = self._use_resource
        full_name = self.name + "/" + name if self.name else name
        # NOTE: variables ignore the op name scope: they are named by variable scope only.
        with graph_lib.name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = registry.convert_to_tensor(initializer).dtype.base_dtype
                if init_dtype != dtypes.as_dtype(dtype):
                    raise ValueError("Initializer type '%s' and explicit dtype '%s' don't "
                                     "match." % (init_dtype.name, dtypes.as_dtype(dtype).name))
            if initializer is None:
                initializer = self._initializer
            if constraint is None:
                constraint = self._constraint
            if dtype is None:
                dtype = self._dtype
            return var_store.get_variable(
                full_name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                partitioner=partitioner, validate_shape=validate_shape,
                use_resource=use_resource, custom_getter=custom_getter, constraint=constraint)

    def __repr__(self):
        return "<tf.VariableScope '%s' reuse=%s>" % (self._name, self._reuse)


# ---------------------------------------------------------------- the stores
class _VariableScopeStore(threading.local):
    """The current variable scope and scope-open counts (per graph, per thread)."""

    def __init__(self):
        super().__init__()
        self.current_scope = VariableScope(False)
        self.variable_scopes_count = {}

    def open_variable_scope(self, scope_name):
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(
            scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name):
        if scope_name is None:
            for k in self.variable_scopes_count:
                self.variable_scopes_count[k] = 0
            return
        prefix = scope_name + "/"
        for k in self.variable_scopes_count:
            if k.startswith(prefix):
                self.variable_scopes_count[k] = 0

    def variable_scope_count(self, scope_name):
        return self.variable_scopes_count.get(scope_name, 0)


def get_variable_scope_store():
    g = graph_lib.get_default_graph()
    coll = g.get_collection_ref(_VARSCOPESTORE_KEY)
    if not coll:
        coll.append(_VariableScopeStore())
    return coll[0]


def get_variable_scope():
    """tf.get_variable_scope: the current VariableScope."""
    return get_variable_scope_store().current_scope


def _get_default_variable_store():
    g = graph_lib.get_default_graph()
    coll = g.get_collection_ref(_VARSTORE_KEY)
    if not coll:
        coll.append(_VariableStore())
    return coll[0]


def _site_of(var):
    site = getattr(var.op, "_site", None)
    return site


def _fmt_site(site):
    if not site:
        return "<unknown>"
    return "%s:%d (in %s)" % (site[0], site[1], site[2])


def _takes_arg(fn, name):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    for p in sig.parameters.values():
        if p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD:
            return True
    return False


def _needs_no_arguments(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return all(p.default is not inspect.Parameter.empty or
               p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
               for p in sig.parameters.values())


class _VariableStore:
    """Variables created by tf.get_variable in one graph, by full name."""

    def __init__(self):
        self._vars = {}
        self._partitioned_vars = {}
        self._store_eager_variables = False

    def get_variable(self, name, shape=None, dtype=dtypes.float32, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError("Passed a custom_getter which is not callable: %s" % custom_getter)
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype).base_dtype

        def _true_getter(name, shape=None, dtype=dtypes.float32, initializer=None,
                         regularizer=None, reuse=None, trainable=None, collections=None,
                         caching_device=None, partitioner=None, validate_shape=True,
                         use_resource=None, constraint=None, synchronization=None,
                         aggregation=None):
            is_scalar = shape is not None and isinstance(shape, (list, tuple)) and not shape
            if partitioner is not None and not is_scalar:
                if not callable(partitioner):
                    raise ValueError("Partitioner must be callable, but received: %s" %
                                     partitioner)
                raise NotImplementedError(
                    "tensorweave does not support partitioned variables yet (variable %s with "
                    "partitioner %r); drop the partitioner: on one machine it only splits the "
                    "variable into pieces." % (name, partitioner))
            return self._get_single_variable(
                name=name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                validate_shape=validate_shape, use_resource=use_resource,
                constraint=constraint)

        if trainable is None:
            trainable = True
        if custom_getter is not None:
            kwargs = {"getter": _true_getter, "name": name, "shape": shape, "dtype": dtype,
                      "initializer": initializer, "regularizer": regularizer, "reuse": reuse,
                      "trainable": trainable, "collections": collections,
                      "caching_device": caching_device, "partitioner": partitioner,
                      "validate_shape": validate_shape, "use_resource": use_resource}
            if _takes_arg(custom_getter, "constraint"):
                kwargs["constraint"] = constraint
            if _takes_arg(custom_getter, "synchronization"):
                kwargs["synchronization"] = synchronization
            if _takes_arg(custom_getter, "aggregation"):
                kwargs["aggregation"] = aggregation
            return custom_getter(**kwargs)
        return _true_getter(name, shape=shape, dtype=dtype, initializer=initializer,
                            regularizer=regularizer, reuse=reuse, trainable=trainable,
                            collections=collections, caching_device=caching_device,
                            partitioner=partitioner, validate_shape=validate_shape,
                            use_resource=use_resource, constraint=constraint)

    def _get_single_variable(self, name, shape=None, dtype=dtypes.float32, initializer=None,
                             regularizer=None, partition_info=None, reuse=None, trainable=None,
                             collections=None, caching_device=None, validate_shape=True,
                             use_resource=None, constraint=None):
        initializing_from_value = initializer is not None and not callable(initializer)
        if shape is not None and initializing_from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = dtypes.as_dtype(dtype)
        if shape is not None:
            shape = tensor_shape.as_shape(shape)

        if name in self._vars:
            found = self._vars[name]
            if reuse is False:
                raise ValueError(_already_exists_message(name, found))
            if shape is not None and not shape.is_compatible_with(found.get_shape()):
                raise ValueError(
                    "Trying to share variable %s, but specified shape %s and found shape %s.%s" % (
                        name, shape, found.get_shape(),
                        " It was created at %s." % _fmt_site(_site_of(found))
                        if _site_of(found) else ""))
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError("Trying to share variable %s, but specified dtype %s and found "
                                 "dtype %s." % (name, dtype.name, found.dtype.base_dtype.name))
            return found

        if reuse is True:
            raise ValueError(_does_not_exist_message(name))

        if initializer is None:
            if shape is None:
                raise ValueError("Variable %s did not get an initializer, so its `shape` "
                                 "argument must be specified." % name)
            initializer, initializing_from_value = _default_initializer(name, dtype)

        with variables_lib.init_scope():
            if initializing_from_value:
                init_val = initializer
                variable_dtype = None
            else:
                if inspect.isclass(initializer):
                    initializer = initializer()
                if shape is not None and shape.is_fully_defined():
                    if _takes_arg(initializer, "partition_info"):
                        init_val = functools.partial(initializer, shape.as_list(), dtype=dtype,
                                                     partition_info=partition_info)
                    else:
                        init_val = functools.partial(initializer, shape.as_list(), dtype=dtype)
                    variable_dtype = dtype.base_dtype
                elif _needs_no_arguments(initializer):
                    init_val = initializer
                    variable_dtype = None
                else:
                    raise ValueError(
                        "The initializer passed is not valid. It should be a callable with no "
                        "arguments and the shape should not be provided or an instance of "
                        "`tf.keras.initializers.*' and `shape` should be fully defined. "
                        "(variable %s, shape %s)" % (name, shape))
        v = variables_lib.Variable(
            initial_value=init_val, name=name, trainable=trainable, collections=collections,
            caching_device=caching_device, dtype=variable_dtype,
            validate_shape=validate_shape, constraint=constraint)
        self._vars[name] = v
        if regularizer:
            g = graph_lib.get_default_graph()
            with g.colocate_with(v.op):
                with graph_lib.name_scope(name + "/Regularizer/"):
                    with variables_lib.init_scope():
                        loss = regularizer(v)
                    if loss is not None:
                        g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return v

    def close(self):
        pass


def _default_initializer(name, dtype):
    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer(), False
    if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == dtypes.string:
        return init_ops.zeros_initializer(), False
    raise ValueError("An initializer for variable %s of %s is required" % (name,
                                                                             dtype.base_dtype))


def _user_stack(limit=4):
    """The innermost user frames (outside tensorweave) of the current call, outermost first."""
    frames = [f for f in traceback.extract_stack()[:-1]
              if not f.filename.startswith(graph_lib._PKG_DIR)]
    return frames[-limit:]


def _already_exists_message(name, found):
    msg = ("Variable %s already exists, disallowed. Did you mean to set reuse=True or "
           "reuse=tf.AUTO_REUSE in VarScope?" % name)
    first = _site_of(found)
    now = _user_stack()
    now_site = (now[-1].filename, now[-1].lineno) if now else None
    msg += "\nIt was first created at %s" % _fmt_site(first)
    if now:
        msg += "\nand is requested again at %s:%d (in %s)" % (now[-1].filename, now[-1].lineno,
                                                               now[-1].name)
        if len(now) > 1:
            msg += "\n  called from " + " <- ".join(
                "%s:%d" % (f.filename.rsplit("/", 1)[-1], f.lineno) for f in reversed(now[:-1]))
    if first and now_site and (first[0], first[1]) == now_site:
        msg += ("\nThe same line ran twice: the model is being built a second time in the same "
                "graph (a notebook cell run again, or a model built in a loop or a function "
                "called twice). Call tf.reset_default_graph() before building it again, or, to "
                "share the variables on purpose, open the scope with reuse=True (or "
                "reuse=tf.AUTO_REUSE).")
    else:
        msg += ("\nTo share the variable, open the second scope with reuse=True (or call "
                "scope.reuse_variables(), or use reuse=tf.AUTO_REUSE); to make a separate "
                "variable, give it another name or variable_scope.")
    return msg


def _does_not_exist_message(name):
    msg = ("Variable %s does not exist, or was not created with tf.get_variable(). Did you "
           "mean to set reuse=tf.AUTO_REUSE in VarScope?" % name)
    store = _get_default_variable_store()
    leaf = name.rsplit("/", 1)[-1]
    similar = [n for n in store._vars if n.rsplit("/", 1)[-1] == leaf]
    if similar:
        msg += "\nVariables named '%s' that do exist: %s" % (leaf, ", ".join(sorted(similar)[:8]))
    else:
        g = graph_lib.get_default_graph()
        plain = [op.name for op in g.get_operations() if op.type == "VariableV2" and
                 op.name == name]
        if plain:
            msg += ("\n%s exists but was made with tf.Variable, which tf.get_variable never "
                    "reuses; create it with tf.get_variable." % name)
    return msg


# ---------------------------------------------------------------- tf.get_variable
def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    """tf.get_variable: the variable `<current variable scope>/<name>`, created if needed."""
    return get_variable_scope().get_variable(
        _get_default_variable_store(), name, shape=shape, dtype=dtype, initializer=initializer,
        regularizer=regularizer, trainable=trainable, collections=collections,
        caching_device=caching_device, partitioner=partitioner, validate_shape=validate_shape,
        use_resource=use_resource, custom_getter=custom_getter, constraint=constraint,
        synchronization=synchronization, aggregation=aggregation)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable=False, collections=None, caching_device=None,
                       partitioner=None, validate_shape=True, use_resource=None,
                       custom_getter=None, constraint=None, synchronization=None,
                       aggregation=None):
    """tf.get_local_variable: like get_variable, in LOCAL_VARIABLES and not trainable."""
    if collections:
        collections = list(collections) + [GraphKeys.LOCAL_VARIABLES]
    else:
        collections = [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                        regularizer=regularizer, trainable=False, collections=collections,
                        caching_device=caching_device, partitioner=partitioner,
                        validate_shape=validate_shape, use_resource=use_resource,
                        custom_getter=custom_getter, constraint=constraint)


# ---------------------------------------------------------------- scopes
def _maybe_wrap_custom_getter(custom_getter, old_getter):
    if old_getter is None:
        return custom_getter

    def wrapped_custom_getter(getter, *args, **kwargs):
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)

    return wrapped_custom_getter


def _get_unique_variable_scope(prefix):
    store = get_variable_scope_store()
    current = get_variable_scope()
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.variable_scope_count(name + ("_%d" % idx)) > 0:
        idx += 1
    return prefix + ("_%d" % idx)


class _pure_variable_scope:  # noqa: N801 - TF's name
    """Enters a variable scope without opening a name scope."""

    def __init__(self, name_or_scope, reuse=None, initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None,
                 old_name_scope=None, dtype=dtypes.float32, use_resource=None,
                 constraint=None):
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._var_scope_store = get_variable_scope_store()
        self._last_variable_scope_object = None
        if isinstance(name_or_scope, VariableScope):
            self._new_name = name_or_scope.name
            obj = VariableScope(
                name_or_scope.reuse if not reuse else reuse, name=self._new_name,
                initializer=name_or_scope.initializer, regularizer=name_or_scope.regularizer,
                caching_device=name_or_scope.caching_device,
                partitioner=name_or_scope.partitioner, dtype=name_or_scope.dtype,
                custom_getter=name_or_scope.custom_getter,
                name_scope=name_or_scope._name_scope, use_resource=name_or_scope.use_resource,
                constraint=constraint)
            self._apply_overrides(obj, name_or_scope.custom_getter)
            self._cached_variable_scope_object = obj

    def _apply_overrides(self, obj, old_getter):
        if self._initializer is not None:
            obj.set_initializer(self._initializer)
        if self._regularizer is not None:
            obj.set_regularizer(self._regularizer)
        if self._caching_device is not None:
            obj.set_caching_device(self._caching_device)
        if self._partitioner is not None:
            obj.set_partitioner(self._partitioner)
        if self._custom_getter is not None:
            obj.set_custom_getter(_maybe_wrap_custom_getter(self._custom_getter, old_getter))
        if self._dtype is not None:
            obj.set_dtype(self._dtype)
        if self._use_resource is not None:
            obj.set_use_resource(self._use_resource)

    def __enter__(self):
        store = self._var_scope_store
        self._old = store.current_scope
        if isinstance(self._name_or_scope, VariableScope):
            store.open_variable_scope(self._new_name)
            self._old_subscopes = dict(store.variable_scopes_count)
            obj = self._cached_variable_scope_object
        else:
            old = self._old
            self._new_name = (old.name + "/" + self._name_or_scope if old.name
                              else self._name_or_scope)
            self._reuse = self._reuse or old.reuse
            name_scope = (self._name_or_scope if self._old_name_scope is None
                          else self._old_name_scope)
            obj = VariableScope(
                self._reuse, name=self._new_name, initializer=old.initializer,
                regularizer=old.regularizer, caching_device=old.caching_device,
                partitioner=old.partitioner, dtype=old.dtype, use_resource=old.use_resource,
                custom_getter=old.custom_getter, name_scope=name_scope,
                constraint=self._constraint)
            self._apply_overrides(obj, old.custom_getter)
            store.open_variable_scope(self._new_name)
        store.current_scope = obj
        self._last_variable_scope_object = obj
        return obj

    def __exit__(self, exc_type, exc, tb):
        store = self._var_scope_store
        if store.current_scope is not self._last_variable_scope_object:
            raise RuntimeError("Improper nesting of variable_scope.")
        if isinstance(self._name_or_scope, VariableScope):
            store.variable_scopes_count = self._old_subscopes
        else:
            store.close_variable_subscopes(self._new_name)
        store.current_scope = self._old
        return False


def _graph_from_values(values):
    for v in values or ():
        g = getattr(v, "graph", None)
        if isinstance(g, graph_lib.Graph):
            return g
    return graph_lib.get_default_graph()


class variable_scope:  # noqa: N801 - TF's name
    """tf.variable_scope: a name scope for ops plus a variable scope for tf.get_variable."""

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None,
                 regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                 reuse=None, dtype=None, use_resource=None, constraint=None,
                 auxiliary_name_scope=True):
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = values
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        if default_name is None and name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if self._reuse is False:
            # NOTE: False means "inherit" (TF1 does not allow non-inheriting scopes).
            self._reuse = None
        if not (self._reuse is True or self._reuse is None or self._reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if self._values is None:
            self._values = []
        self._graph = _graph_from_values(self._values)
        self._cached_pure_variable_scope = None
        self._current_name_scope = None
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError("The auxiliary_name_scope must be `True` or `False`, while get "
                            "{}".format(auxiliary_name_scope))
        self._auxiliary_name_scope = auxiliary_name_scope

    def __enter__(self):
        self._graph_context_manager = self._graph.as_default()
        self._graph_context_manager.__enter__()
        try:
            return self._enter_scope_uncached()
        except BaseException:
            self._graph_context_manager.__exit__(None, None, None)
            raise

    def _pure(self, name_or_scope, old_name_scope, reuse=True):
        return _pure_variable_scope(
            name_or_scope, reuse=self._reuse if reuse else None,
            initializer=self._initializer, regularizer=self._regularizer,
            caching_device=self._caching_device, partitioner=self._partitioner,
            custom_getter=self._custom_getter, old_name_scope=old_name_scope,
            dtype=self._dtype, use_resource=self._use_resource, constraint=self._constraint)

    def _enter_name_scope(self, cm):
        self._current_name_scope = cm
        return cm.__enter__()

    def _enter_scope_uncached(self):
        g = self._graph
        if self._auxiliary_name_scope:
            current_name_scope = None
        else:
            ns = g.get_name_scope()
            current_name_scope = g.name_scope(ns + "/" if ns else ns)
        if self._name_or_scope is not None:
            if not isinstance(self._name_or_scope, (VariableScope, str)):
                raise TypeError("VariableScope: name_or_scope must be a string or "
                                "VariableScope.")
            if isinstance(self._name_or_scope, str):
                name_scope = self._name_or_scope
            else:
                name_scope = self._name_or_scope.name.split("/")[-1]
            if name_scope or current_name_scope:
                cm = current_name_scope or g.name_scope(name_scope)
                scope_name = self._enter_name_scope(cm)
                if isinstance(self._name_or_scope, str):
                    old_name_scope = scope_name
                else:
                    old_name_scope = self._name_or_scope.original_name_scope
                pure = self._pure(self._name_or_scope, old_name_scope)
            else:
                self._current_name_scope = None
                pure = self._pure(self._name_or_scope, None)
        else:
            if self._reuse:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            cm = current_name_scope or g.name_scope(self._default_name)
            scope_name = self._enter_name_scope(cm)
            unique_default_name = _get_unique_variable_scope(self._default_name)
            pure = self._pure(unique_default_name, scope_name, reuse=False)
        try:
            entered = pure.__enter__()
        except BaseException:
            if self._current_name_scope is not None:
                self._current_name_scope.__exit__(None, None, None)
            raise
        self._cached_pure_variable_scope = pure
        return entered

    def __exit__(self, exc_type, exc, tb):
        try:
            self._cached_pure_variable_scope.__exit__(exc_type, exc, tb)
        finally:
            try:
                if self._current_name_scope is not None:
                    self._current_name_scope.__exit__(exc_type, exc, tb)
            finally:
                self._graph_context_manager.__exit__(exc_type, exc, tb)
        return False


def variable_op_scope(values, name_or_scope, default_name=None, initializer=None,
                      regularizer=None, caching_device=None, partitioner=None,
                      custom_getter=None, reuse=None, dtype=None, use_resource=None,
                      constraint=None):
    """Deprecated TF1 spelling of variable_scope(name_or_scope, default_name, values)."""
    return variable_scope(name_or_scope, default_name=default_name, values=values,
                          initializer=initializer, regularizer=regularizer,
                          caching_device=caching_device, partitioner=partitioner,
                          custom_getter=custom_getter, reuse=reuse, dtype=dtype,
                          use_resource=use_resource, constraint=constraint)


# ---------------------------------------------------------------- make_template
class Template:
    """tf.make_template's callable: variables are created on the first call and reused
    afterwards."""

    def __init__(self, name, func, create_scope_now=False, unique_name=None,
                 custom_getter=None, create_graph_function=False):
        if not isinstance(name, str):
            raise ValueError("name cannot be None.")
        self._func = func
        self._name = name
        self._unique_name = unique_name
        self._custom_getter = custom_getter
        self._variables_created = False
        self._variable_scope = None
        if create_scope_now:
            with variable_scope(self._unique_name, self._name,
                                custom_getter=self._custom_getter) as vs:
                self._variable_scope = vs

    def _call_func(self, args, kwargs):
        g = graph_lib.get_default_graph()
        before = len(g.get_collection(GraphKeys.TRAINABLE_VARIABLES))
        result = self._func(*args, **kwargs)
        if self._variables_created:
            after = g.get_collection(GraphKeys.TRAINABLE_VARIABLES)
            if len(after) != before:
                raise ValueError("Trainable variable created when calling a template after the "
                                 "first time, perhaps you used tf.Variable when you meant "
                                 "tf.get_variable: %s" % (after[before:],))
        self._variables_created = True
        return result

    def __call__(self, *args, **kwargs):
        if self._variable_scope is not None:
            with variable_scope(self._variable_scope, reuse=True if self._variables_created
                                else None):
                return self._call_func(args, kwargs)
        with variable_scope(self._unique_name, self._name,
                            custom_getter=self._custom_getter) as vs:
            self._variable_scope = vs
            return self._call_func(args, kwargs)

    @property
    def name(self):
        return self._name

    @property
    def func(self):
        return self._func

    @property
    def variable_scope(self):
        return self._variable_scope

    @property
    def variable_scope_name(self):
        return self._variable_scope.name if self._variable_scope else None

    @property
    def variables(self):
        return self.global_variables

    @property
    def trainable_variables(self):
        if not self._variables_created:
            return []
        return graph_lib.get_collection(GraphKeys.TRAINABLE_VARIABLES,
                                        self.variable_scope_name + "/")

    @property
    def global_variables(self):
        if not self._variables_created:
            return []
        return graph_lib.get_collection(GraphKeys.GLOBAL_VARIABLES,
                                        self.variable_scope_name + "/")

    @property
    def local_variables(self):
        if not self._variables_created:
            return []
        return graph_lib.get_collection(GraphKeys.LOCAL_VARIABLES,
                                        self.variable_scope_name + "/")


def make_template(name_, func_, create_scope_now_=False, unique_name_=None,
                  custom_getter_=None, **kwargs):
    """tf.make_template: wraps func_ so that its get_variable calls share variables."""
    if kwargs:
        func_ = functools.partial(func_, **kwargs)
    return Template(name_, func_, create_scope_now=create_scope_now_, unique_name=unique_name_,
                    custom_getter=custom_getter_)
