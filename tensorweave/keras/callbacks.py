"""tf.keras.callbacks (minimal: Callback, LambdaCallback, EarlyStopping, History)."""
from tensorweave.keras.models import History  # noqa: F401


class Callback:
    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass


class LambdaCallback(Callback):
    def __init__(self, on_epoch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        if on_epoch_end is not None:
            self.on_epoch_end = on_epoch_end
        if on_train_begin is not None:
            self.on_train_begin = on_train_begin
        if on_train_end is not None:
            self.on_train_end = on_train_end


class EarlyStopping(Callback):
    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 **kwargs):
        super().__init__()
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.mode = mode
        self.best = None
        self.wait = 0

    def on_epoch_end(self, epoch, logs=None):
        v = (logs or {}).get(self.monitor)
        if v is None:
            return
        higher = self.mode == "max" or (self.mode == "auto" and "acc" in self.monitor)
        better = self.best is None or (v > self.best + self.min_delta if higher else
                                       v < self.best - self.min_delta)
        if better:
            self.best, self.wait = v, 0
        else:
            self.wait += 1
            if self.wait > self.patience:
                self.model.stop_training = True
