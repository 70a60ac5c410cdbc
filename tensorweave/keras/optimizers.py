"""tf.keras.optimizers (Keras-1/2 argument names, lr/decay) wrapping tf.train optimizers."""


def _tf():
    import tensorweave

    return tensorweave


class Optimizer:
    """A Keras optimizer: builds a tf.train optimizer with lr / (1 + decay * iterations)."""

    def __init__(self, lr=0.01, decay=0.0, **kwargs):
        self.lr = kwargs.pop("learning_rate", lr)
        self.decay = decay
        self.kwargs = kwargs
        self.iterations = None

    learning_rate = property(lambda self: self.lr)

    def _lr_tensor(self):
        tf = _tf()
        if self.iterations is None:
            self.iterations = tf.Variable(0, dtype=tf.int64, name="iterations",
                                          trainable=False)
        lr = self.lr
        if self.decay:
            lr = lr / (1.0 + self.decay * tf.cast(self.iterations, tf.float32))
        return lr

    def _make(self, lr):
        raise NotImplementedError

    def get_train_op(self, loss, var_list):
        tf = _tf()
        with tf.name_scope("training"):
            opt = self._make(self._lr_tensor())
            return opt.minimize(loss, var_list=var_list, global_step=self.iterations)


class SGD(Optimizer):
    def __init__(self, lr=0.01, momentum=0.0, decay=0.0, nesterov=False, **kwargs):
        super().__init__(lr=lr, decay=decay, **kwargs)
        self.momentum = momentum
        self.nesterov = nesterov

    def _make(self, lr):
        tf = _tf()
        if self.momentum:
            return tf.train.MomentumOptimizer(lr, self.momentum, use_nesterov=self.nesterov)
        return tf.train.GradientDescentOptimizer(lr)


class Adam(Optimizer):
    def __init__(self, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, decay=0.0,
                 amsgrad=False, **kwargs):
        super().__init__(lr=lr, decay=decay, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon or 1e-7

    def _make(self, lr):
        return _tf().train.AdamOptimizer(lr, self.beta_1, self.beta_2, self.epsilon)


class RMSprop(Optimizer):
    def __init__(self, lr=0.001, rho=0.9, epsilon=1e-7, decay=0.0, **kwargs):
        super().__init__(lr=lr, decay=decay, **kwargs)
        self.rho, self.epsilon = rho, epsilon or 1e-7

    def _make(self, lr):
        return _tf().train.RMSPropOptimizer(lr, decay=self.rho, epsilon=self.epsilon)


class Adadelta(Optimizer):
    def __init__(self, lr=1.0, rho=0.95, epsilon=1e-7, decay=0.0, **kwargs):
        super().__init__(lr=lr, decay=decay, **kwargs)
        self.rho, self.epsilon = rho, epsilon or 1e-7

    def _make(self, lr):
        return _tf().train.AdadeltaOptimizer(lr, rho=self.rho, epsilon=self.epsilon)


class Adagrad(Optimizer):
    def __init__(self, lr=0.01, epsilon=1e-7, decay=0.0, **kwargs):
        super().__init__(lr=lr, decay=decay, **kwargs)

    def _make(self, lr):
        return _tf().train.AdagradOptimizer(lr)


class TFOptimizer(Optimizer):
    """Wraps a tf.train.Optimizer instance."""

    def __init__(self, optimizer):
        super().__init__()
        self.optimizer = optimizer

    def get_train_op(self, loss, var_list):
        tf = _tf()
        if self.iterations is None:
            self.iterations = tf.Variable(0, dtype=tf.int64, name="iterations",
                                          trainable=False)
        with tf.name_scope("training"):
            return self.optimizer.minimize(loss, var_list=var_list,
                                           global_step=self.iterations)


sgd, adam, rmsprop, adadelta, adagrad = SGD, Adam, RMSprop, Adadelta, Adagrad
_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adadelta": Adadelta,
            "adagrad": Adagrad}


def get(identifier):
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() not in _BY_NAME:
            raise ValueError("Unknown optimizer: " + identifier)
        return _BY_NAME[identifier.lower()]()
    if hasattr(identifier, "compute_gradients"):
        return TFOptimizer(identifier)
    raise ValueError("Could not interpret optimizer identifier: " + str(identifier))
