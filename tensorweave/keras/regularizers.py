"""tf.keras.regularizers: l1, l2, l1_l2 (Keras: l2 = factor * sum(x^2), no 1/2)."""


def _tf():
    import tensorweave

    return tensorweave


class Regularizer:
    def __call__(self, x):
        return 0.0


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x):
        tf = _tf()
        total = None
        if self.l1:
            total = self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            t = self.l2 * tf.reduce_sum(tf.square(x))
            total = t if total is None else total + t
        if total is None:
            total = tf.constant(0.0, dtype=x.dtype.base_dtype)
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def l1(l=0.01):
    return L1L2(l1=l)


def l2(l=0.01):
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1=l1, l2=l2)


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    if identifier == "l1":
        return l1()
    if identifier == "l2":
        return l2()
    raise ValueError("Unknown regularizer: " + str(identifier))
