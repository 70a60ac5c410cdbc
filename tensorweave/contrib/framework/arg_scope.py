"""tf.contrib.framework.arg_scope / add_arg_scope (slim's default-argument scopes)."""
import contextlib
import functools
import threading

_local = threading.local()


def _stack():
    if not hasattr(_local, "stack"):
        _local.stack = [{}]
    return _local.stack


def _key_op(op):
    return getattr(op, "_key_op", str(op))


def current_arg_scope():
    return _stack()[-1]


def _name_op(op):
    return (op.__module__, op.__name__)


def has_arg_scope(func):
    return _key_op(func) in _ARG_SCOPED


_ARG_SCOPED = set()


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Sets default keyword arguments for the listed (add_arg_scope-decorated) functions."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, "
                             "kwargs must be empty.")
        _stack().append(list_ops_or_scope)
        try:
            yield list_ops_or_scope
        finally:
            _stack().pop()
        return
    if not isinstance(list_ops_or_scope, (list, tuple)):
        raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope "
                        "(i.e. dict)")
    current = dict(current_arg_scope())
    for op in list_ops_or_scope:
        key = _key_op(op)
        if key not in _ARG_SCOPED:
            raise ValueError("%s is not decorated with @add_arg_scope" % (_name_op(op),))
        merged = dict(current.get(key, {}))
        merged.update(kwargs)
        current[key] = merged
    _stack().append(current)
    try:
        yield current
    finally:
        _stack().pop()


def add_arg_scope(func):
    """Decorator: the function takes defaults from enclosing arg_scopes."""
    key = _key_op(func)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        scoped = current_arg_scope().get(key)
        if scoped:
            merged = dict(scoped)
            merged.update(kwargs)
            kwargs = merged
        return func(*args, **kwargs)

    func_with_args._key_op = key
    _ARG_SCOPED.add(key)
    return func_with_args


def arg_scoped_arguments(func):
    import inspect
    return list(inspect.signature(func).parameters)
