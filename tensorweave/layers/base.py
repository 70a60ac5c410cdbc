"""tf.layers.Layer: TF1's layer base class (variables through tf.variable_scope).

A layer opens its variable scope on first call (`dense`, `dense_1`, ... from the layer's
snake_case class name, or the given `name`), creates its weights there with
`tf.get_variable` (so names are `dense/kernel`, `dense/bias`), and builds its ops under the
scope's original name scope (`dense/MatMul`, `dense/BiasAdd`). Regularization losses go to
REGULARIZATION_LOSSES and updates (batch-norm moving averages) to UPDATE_OPS, as in TF1.
"""
import re

from tensorweave.framework import graph as graph_lib
from tensorweave.framework import tensor_shape
from tensorweave.framework.graph import GraphKeys
from tensorweave.ops import variable_scope as vs


def _tf():
    import tensorweave

    return tensorweave


def to_snake_case(name):
    """Keras' class-name -> layer-name rule (Dense -> dense, Conv2D -> conv2d)."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    if insecure[0] != "_":
        return insecure
    return "private" + insecure


class InputSpec:
    """Expected rank/dtype/shape of a layer input (informational here)."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = axes or {}


def _flat(x):
    if isinstance(x, (list, tuple)):
        out = []
        for v in x:
            out.extend(_flat(v))
        return out
    return [x]


def _shapes_of(inputs):
    if isinstance(inputs, (list, tuple)):
        return [_shapes_of(v) for v in inputs]
    return tensor_shape.TensorShape(inputs.get_shape())


def _add_to_collection(items, key):
    g = graph_lib.get_default_graph()
    existing = set(id(v) for v in g.get_collection(key))
    for item in items:
        if id(item) not in existing:
            g.add_to_collection(key, item)


class Layer:
    """Base layer: variables by tf.get_variable in the layer's own variable scope."""

    def __init__(self, trainable=True, name=None, dtype=None, activity_regularizer=None,
                 **kwargs):
        allowed = {"_scope", "_reuse", "input_shape", "batch_input_shape", "batch_size",
                   "weights", "autocast", "input_dim"}
        for kw in kwargs:
            if kw not in allowed:
                raise TypeError("Keyword argument not understood:", kw)
        self.trainable = trainable
        self.built = False
        self.input_spec = None
        self.activity_regularizer = activity_regularizer
        self.supports_masking = False
        self._dtype = None if dtype is None else _tf().as_dtype(dtype).base_dtype
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        self._updates = []
        self._reuse = kwargs.get("_reuse")
        self._graph = None
        self._scope = None
        self._current_scope = None
        scope = kwargs.get("_scope")
        if isinstance(name, vs.VariableScope):
            base_name = name.name
            name = name.name
        else:
            base_name = name
        self._name = name
        if not name:
            base_name = to_snake_case(self.__class__.__name__)
            self._name = base_name
        self._base_name = base_name
        self._init_scope = scope
        if scope is not None:
            with vs.variable_scope(scope) as captured:
                self._scope = captured

    # -- properties -------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def scope_name(self):
        if not self._scope:
            raise ValueError("No name available for layer scope because the layer \"" +
                             self._name + "\" has not been used yet. The scope name is "
                             "determined the first time the layer instance is called.")
        return self._scope.name

    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def losses(self):
        return list(self._losses)

    @property
    def updates(self):
        return list(self._updates)

    def get_losses_for(self, inputs):
        return self.losses

    def get_updates_for(self, inputs):
        return self.updates

    # -- building ---------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None, partitioner=None, use_resource=None,
                   getter=None, **kwargs):
        """Creates (or reuses) `scope/name` with tf.get_variable and tracks it."""
        tf = _tf()
        dtype = tf.as_dtype(dtype or self._dtype or tf.float32)
        if isinstance(initializer, str):
            from tensorweave.keras import initializers as kinit
            initializer = kinit.get(initializer)
        trainable = bool(trainable) and self.trainable
        existing = set(id(v) for v in graph_lib.get_default_graph().get_collection(
            GraphKeys.GLOBAL_VARIABLES))
        var = (getter or tf.get_variable)(
            name, shape=shape, dtype=dtype, initializer=initializer, trainable=trainable,
            constraint=constraint, partitioner=partitioner)
        if regularizer is not None and id(var) not in existing:
            with graph_lib.name_scope(var.op.name + "/Regularizer/"):
                loss = regularizer(var)
            if loss is not None:
                self.add_loss(loss)
        if trainable and var not in self._trainable_weights:
            self._trainable_weights.append(var)
        elif not trainable and var not in self._non_trainable_weights:
            self._non_trainable_weights.append(var)
        return var

    add_variable = add_weight

    def add_loss(self, losses, inputs=None):
        new = [v for v in _flat(losses) if v is not None]
        self._losses.extend(new)
        _add_to_collection(new, GraphKeys.REGULARIZATION_LOSSES)

    def add_update(self, updates, inputs=None):
        new = _flat(updates)
        self._updates.extend(new)
        _add_to_collection(new, GraphKeys.UPDATE_OPS)

    def _set_scope(self, scope=None):
        if self._scope is None:
            if self._reuse:
                with vs.variable_scope(scope if scope is not None else self._base_name) as sc:
                    self._scope = sc
            else:
                with vs.variable_scope(scope, default_name=self._base_name) as sc:
                    self._scope = sc
            if not self._init_scope and self._name == self._base_name:
                self._name = self._scope.name.split("/")[-1]

    def __call__(self, inputs, *args, **kwargs):
        scope = kwargs.pop("scope", None)
        g = graph_lib.get_default_graph()
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        if reuse is False:
            reuse = None
        with vs.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as sc:
            self._current_scope = sc
            with g.name_scope(self._scope.original_name_scope):
                if not self.built:
                    self._graph = g
                    self.build(_shapes_of(inputs))
                    self.built = True
                outputs = self.call(inputs, *args, **kwargs)
                if self.activity_regularizer is not None:
                    for out in _flat(outputs):
                        with graph_lib.name_scope("ActivityRegularizer"):
                            self.add_loss(self.activity_regularizer(out))
        return outputs

    def apply(self, inputs, *args, **kwargs):
        return self.__call__(inputs, *args, **kwargs)

    def count_params(self):
        total = 0
        for w in self.weights:
            n = 1
            for d in w.get_shape().as_list():
                n *= d
            total += n
        return total

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

    def __repr__(self):
        return "<%s name=%s>" % (type(self).__name__, self.name)


def smart_cond(pred, true_fn, false_fn, name=None):
    """Python bools pick a branch at build time; tensors build tf.cond."""
    tf = _tf()
    if isinstance(pred, (bool, int)) or pred is None:
        return true_fn() if pred else false_fn()
    if isinstance(pred, tf.Variable):
        return tf.cond(pred, true_fn, false_fn, name=name)
    from tensorweave.framework import tensor_util
    value = tensor_util.constant_value(pred) if isinstance(pred, graph_lib.Tensor) else pred
    if value is not None and not isinstance(pred, graph_lib.Tensor):
        return true_fn() if value else false_fn()
    if isinstance(pred, graph_lib.Tensor) and pred.op.type == "Const" and value is not None:
        return true_fn() if value else false_fn()
    return tf.cond(pred, true_fn, false_fn, name=name)


def constant_value(pred):
    """The Python value of a bool or constant tensor, else None."""
    if isinstance(pred, (bool, int)):
        return bool(pred)
    if pred is None:
        return None
    if isinstance(pred, graph_lib.Tensor) and pred.op.type == "Const":
        from tensorweave.framework import tensor_util
        v = tensor_util.constant_value(pred)
        return None if v is None else bool(v)
    return None
