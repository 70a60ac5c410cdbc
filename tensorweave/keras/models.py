"""tf.keras Model / Sequential for TF1 graph mode: placeholders in, a Session under the hood.

compile() builds the target placeholder, the loss (+ layer regularization losses), metric
ops and the train op over the trainable weights of trainable layers (re-compile after
changing `layer.trainable`); fit/evaluate/predict feed numpy batches through the Keras
session (keras.backend.get_session()).
"""
import sys

import numpy as np

from tensorweave.keras import backend as K
from tensorweave.keras import layers as klayers
from tensorweave.keras import losses as klosses
from tensorweave.keras import optimizers as kopt


def _tf():
    import tensorweave

    return tensorweave


def _flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class History:
    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}
        self.model = None


class Model(klayers.Layer):
    """A functional model from input placeholders to output tensors."""

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(name=name)
        self._layers = []
        self._compiled = False
        self.optimizer = None
        self.stop_training = False
        if inputs is not None and outputs is not None:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        self.inputs = _flat(inputs)
        self.outputs = _flat(outputs)
        self._single_output = not isinstance(outputs, (list, tuple))
        order, seen = [], set()

        def visit(t):
            hist = klayers.get_keras_history(t)
            if hist is None:
                return
            layer, ins = hist
            if ins is not None:
                for i in _flat(ins):
                    visit(i)
            if id(layer) not in seen:
                seen.add(id(layer))
                order.append(layer)
        for o in self.outputs:
            visit(o)
        self._layers = [lay for lay in order if not isinstance(lay, klayers.InputLayer)]
        self.built = True

    @property
    def layers(self):
        return list(self._layers)

    @property
    def input(self):
        return self.inputs[0] if len(self.inputs) == 1 else self.inputs

    @property
    def output(self):
        return self.outputs[0] if self._single_output else self.outputs

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        out = []
        for lay in self._layers:
            out.extend(w for w in lay.trainable_weights if w not in out)
        return out

    @property
    def non_trainable_weights(self):
        out = []
        for lay in self._layers:
            ws = lay.weights if not self.trainable else lay.non_trainable_weights
            out.extend(w for w in ws if w not in out)
        return out

    @property
    def weights(self):
        out = []
        for lay in self._layers:
            out.extend(w for w in lay.weights if w not in out)
        return out

    trainable_variables = trainable_weights
    variables = weights

    @property
    def losses(self):
        out = []
        for lay in self._layers:
            out.extend(lay.losses)
        return out

    @property
    def updates(self):
        out = []
        for lay in self._layers:
            if lay.trainable:
                out.extend(lay.updates)
        return out

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self._layers[index]
        for lay in self._layers:
            if lay.name == name:
                return lay
        raise ValueError("No such layer: " + str(name))

    def call(self, inputs, training=None):
        raise NotImplementedError("tensorweave: calling a functional Model on new inputs is "
                                  "not supported yet; build the model on those inputs")

    def __call__(self, inputs, *args, **kwargs):
        return self.call(inputs, *args, **kwargs)

    # -- training -----------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, target_tensors=None,
                **kwargs):
        tf = _tf()
        self._ensure_built()
        self.optimizer = kopt.get(optimizer)
        self.loss = loss
        self.loss_functions = [klosses.get(loss)] * len(self.outputs) \
            if not isinstance(loss, (list, tuple)) else [klosses.get(x) for x in loss]
        self.metrics_names = ["loss"]
        out = self.outputs[0]
        g = out.graph
        with g.as_default():
            self.targets = []
            total = None
            with tf.name_scope("loss"):
                for o, fn in zip(self.outputs, self.loss_functions):
                    name = o.op.name.split("/")[0] + "_target"
                    sparse = fn is klosses.sparse_categorical_crossentropy
                    shape = [None] * (o.get_shape().ndims or 2)
                    if sparse:
                        shape = [None, 1] if len(shape) == 2 else shape[:-1]
                    t = tf.placeholder(o.dtype.base_dtype, shape=shape, name=name)
                    self.targets.append(t)
                    per = fn(t, o)
                    val = tf.reduce_mean(per)
                    total = val if total is None else total + val
                reg = self.losses
                if reg:
                    total = total + tf.add_n(reg)
            self.total_loss = total
            self._metric_tensors = []
            for m in metrics or []:
                if m in ("accuracy", "acc"):
                    o, t, fn = self.outputs[0], self.targets[0], self.loss_functions[0]
                    with tf.name_scope("metrics/" + m):
                        if fn is klosses.sparse_categorical_crossentropy:
                            eq = tf.equal(tf.cast(tf.reshape(t, [-1]), tf.int64),
                                          tf.argmax(o, -1))
                        elif fn is klosses.binary_crossentropy or \
                                o.get_shape().as_list()[-1] == 1:
                            eq = tf.equal(t, tf.round(o))
                        else:
                            eq = tf.equal(tf.argmax(t, -1), tf.argmax(o, -1))
                        self._metric_tensors.append(tf.reduce_mean(tf.cast(eq, tf.float32)))
                    self.metrics_names.append(m)
                elif callable(m) or m in klosses._BY_NAME:
                    fn = klosses.get(m)
                    self._metric_tensors.append(
                        tf.reduce_mean(fn(self.targets[0], self.outputs[0])))
                    self.metrics_names.append(getattr(m, "__name__", m))
                else:
                    raise ValueError("Unknown metric function: " + str(m))
            var_list = self.trainable_weights
            if var_list:
                with tf.control_dependencies(self.updates):
                    self.train_op = self.optimizer.get_train_op(self.total_loss, var_list)
            else:
                self.train_op = tf.no_op()
        self._compiled = True

    def _ensure_built(self, x=None):
        if not self.built:
            raise RuntimeError("This model has not been built yet: give the first layer an "
                               "`input_shape` or call fit/predict with data.")

    def _feed(self, xs, ys=None, training=False):
        feed = {K.learning_phase(): training}
        for p, x in zip(self.inputs, xs):
            feed[p] = x
        if ys is not None:
            for t, y in zip(self.targets, ys):
                y = np.asarray(y)
                if len(t.get_shape()) == 2 and y.ndim == 1:
                    y = y.reshape(-1, 1)
                feed[t] = y
        return feed

    @staticmethod
    def _as_list(x):
        if isinstance(x, dict):
            return list(x.values())
        return [np.asarray(v) for v in _flat(x)]

    def _run_batches(self, fetches, xs, ys, batch_size, training, order=None):
        sess = K.get_session()
        n = xs[0].shape[0]
        idx = np.arange(n) if order is None else order
        results = []
        for start in range(0, n, batch_size):
            b = idx[start:start + batch_size]
            feed = self._feed([x[b] for x in xs], None if ys is None else [y[b] for y in ys],
                              training)
            results.append((len(b), sess.run(fetches, feed_dict=feed)))
        return results

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, **kwargs):
        if "nb_epoch" in kwargs:
            epochs = kwargs.pop("nb_epoch")
        self._build_from_data(x)
        if not self._compiled:
            raise RuntimeError("You must compile your model before using it.")
        batch_size = batch_size or 32
        xs, ys = self._as_list(x), self._as_list(y)
        if validation_split and validation_data is None:
            split = int(xs[0].shape[0] * (1.0 - validation_split))
            validation_data = ([v[split:] for v in xs], [v[split:] for v in ys])
            xs, ys = [v[:split] for v in xs], [v[:split] for v in ys]
        history = History()
        history.model = self
        history.params = {"batch_size": batch_size, "epochs": epochs,
                          "samples": xs[0].shape[0], "verbose": verbose}
        callbacks = list(callbacks or [])
        for cb in callbacks:
            if hasattr(cb, "set_model"):
                cb.set_model(self)
            if hasattr(cb, "on_train_begin"):
                cb.on_train_begin({})
        fetches = [self.train_op, self.total_loss] + self._metric_tensors
        self.stop_training = False
        for epoch in range(initial_epoch, epochs):
            n = xs[0].shape[0]
            order = np.random.permutation(n) if shuffle else None
            res = self._run_batches(fetches, xs, ys, batch_size, True, order)
            tot = sum(c for c, _ in res)
            logs = {}
            for i, name in enumerate(self.metrics_names):
                logs[name] = float(sum(c * r[i + 1] for c, r in res) / tot)
            if validation_data is not None:
                vx, vy = validation_data[0], validation_data[1]
                vals = self.evaluate(vx, vy, batch_size=batch_size, verbose=0)
                for name, v in zip(self.metrics_names, _flat(vals)):
                    logs["val_" + name] = float(v)
            for k, v in logs.items():
                history.history.setdefault(k, []).append(v)
            history.epoch.append(epoch)
            if verbose:
                sys.stdout.write("Epoch %d/%d\n%d/%d - %s\n" % (
                    epoch + 1, epochs, n, n,
                    " - ".join("%s: %.4f" % kv for kv in logs.items())))
            for cb in callbacks:
                if hasattr(cb, "on_epoch_end"):
                    cb.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for cb in callbacks:
            if hasattr(cb, "on_train_end"):
                cb.on_train_end({})
        self.history = history
        return history

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None,
                 steps=None, **kwargs):
        if not self._compiled:
            raise RuntimeError("You must compile your model before using it.")
        xs, ys = self._as_list(x), self._as_list(y)
        fetches = [self.total_loss] + self._metric_tensors
        res = self._run_batches(fetches, xs, ys, batch_size or 32, False)
        tot = sum(c for c, _ in res)
        vals = [float(sum(c * r[i] for c, r in res) / tot) for i in range(len(fetches))]
        if verbose:
            sys.stdout.write(" - ".join("%s: %.4f" % kv for kv in
                                        zip(self.metrics_names, vals)) + "\n")
        return vals[0] if len(vals) == 1 else vals

    def predict(self, x, batch_size=None, verbose=0, steps=None, **kwargs):
        self._build_from_data(x)
        xs = self._as_list(x)
        res = self._run_batches(self.outputs, xs, None, batch_size or 32, False)
        outs = [np.concatenate([r[i] for _, r in res], axis=0)
                for i in range(len(self.outputs))]
        return outs[0] if self._single_output else outs

    def predict_classes(self, x, batch_size=32, verbose=0):
        p = self.predict(x, batch_size=batch_size)
        if p.shape[-1] > 1:
            return p.argmax(axis=-1)
        return (p > 0.5).astype("int32")

    def train_on_batch(self, x, y, **kwargs):
        feed = self._feed(self._as_list(x), self._as_list(y), True)
        out = K.get_session().run([self.train_op, self.total_loss] + self._metric_tensors,
                                  feed_dict=feed)[1:]
        return out[0] if len(out) == 1 else out

    def test_on_batch(self, x, y, **kwargs):
        feed = self._feed(self._as_list(x), self._as_list(y), False)
        out = K.get_session().run([self.total_loss] + self._metric_tensors, feed_dict=feed)
        return out[0] if len(out) == 1 else out

    def predict_on_batch(self, x):
        return K.get_session().run(self.output, feed_dict=self._feed(self._as_list(x)))

    def _build_from_data(self, x):
        pass

    # -- weights ------------------------------------------------------------------------
    def get_weights(self):
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        K.batch_set_value(list(zip(self.weights, weights)))

    def save_weights(self, filepath, overwrite=True, save_format=None):
        """TF checkpoint format (also for '.h5' paths)."""
        tf = _tf()
        with self.outputs[0].graph.as_default():
            saver = tf.train.Saver(self.weights)
        saver.save(K.get_session(), filepath, write_meta_graph=False)

    def load_weights(self, filepath, by_name=False):
        tf = _tf()
        with self.outputs[0].graph.as_default():
            saver = tf.train.Saver(self.weights)
        saver.restore(K.get_session(), filepath)

    def count_params(self):
        return int(sum(np.prod(w.get_shape().as_list()) for w in self.weights))

    def summary(self, line_length=65, print_fn=None):
        print_fn = print_fn or print
        print_fn('Model: "%s"' % self.name)
        print_fn("_" * line_length)
        print_fn("%-29s%-26s%s" % ("Layer (type)", "Output Shape", "Param #"))
        print_fn("=" * line_length)
        for lay in self._layers:
            try:
                shape = str(tuple(lay.output.get_shape().as_list()))
            except Exception:  # noqa: BLE001
                shape = "multiple"
            print_fn("%-29s%-26s%d" % ("%s (%s)" % (lay.name, type(lay).__name__), shape,
                                       lay.count_params()))
        print_fn("=" * line_length)
        total = self.count_params()
        trainable = int(sum(np.prod(w.get_shape().as_list()) for w in self.trainable_weights))
        print_fn(f"Total params: {total:,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {total - trainable:,}")
        print_fn("_" * line_length)


class Sequential(Model):
    """A linear stack of layers; the first layer's input_shape makes the input placeholder
    `<first layer>_input`."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self.built = False
        self._single_output = True
        for lay in layers or []:
            self.add(lay)

    def add(self, layer):
        tf = _tf()
        if not self._layers and getattr(layer, "_batch_input_shape", None) is not None \
                and not self.built:
            shape = layer._batch_input_shape
            ph = tf.placeholder(layer.dtype or K.floatx(), shape=shape,
                                name=layer.name + "_input")
            inp = klayers.InputLayer(input_tensor=ph, name=layer.name + "_input")
            self.inputs = [inp.output]
            self.outputs = [layer(inp.output)]
            self.built = True
        elif self.built:
            self.outputs = [layer(self.outputs[0])]
        self._layers.append(layer)
        self._compiled = False

    def pop(self):
        raise NotImplementedError("tensorweave: Sequential.pop is not supported yet")

    def _build_from_data(self, x):
        if self.built:
            return
        tf = _tf()
        x0 = self._as_list(x)[0]
        ph = tf.placeholder(K.floatx(), shape=(None,) + tuple(x0.shape[1:]),
                            name=self._layers[0].name + "_input")
        out = ph
        for lay in self._layers:
            out = lay(out)
        self.inputs, self.outputs = [ph], [out]
        self.built = True

    def build(self, input_shape=None):
        if input_shape is not None and not self.built:
            self._build_from_data(np.zeros((1,) + tuple(input_shape[1:]), "float32"))

    def call(self, inputs, training=None):
        out = inputs
        for lay in self._layers:
            out = lay(out)
        return out

    def compile(self, *args, **kwargs):
        if not self.built:
            self._pending_compile = (args, kwargs)
            return
        super().compile(*args, **kwargs)

    def fit(self, x=None, y=None, *args, **kwargs):
        self._build_from_data(x)
        if not self._compiled and getattr(self, "_pending_compile", None):
            a, k = self._pending_compile
            super().compile(*a, **k)
        return super().fit(x, y, *args, **kwargs)


def load_model(filepath, custom_objects=None, compile=True):
    raise NotImplementedError("tensorweave: keras.models.load_model (HDF5 models) is not "
                              "supported; rebuild the model and use load_weights")
