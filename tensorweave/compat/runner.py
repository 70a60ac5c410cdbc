"""`python -m tensorweave run SCRIPT [args]`: runs an unmodified TF1 script on tensorweave.

An import hook makes `tensorflow` and the TF1 module paths scripts use resolve to tensorweave
modules; the script then runs as `__main__` with its own argv, so its exit status and
tracebacks are what running it directly would give.
"""
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys

# Exact TF module paths -> tensorweave modules; other `tensorflow.X` paths try
# tensorweave.compat.api.X, then tensorweave.X.
ALIASES = {
    "tensorflow": "tensorweave",
    "tensorflow.compat": "tensorweave.compat.tf_compat",
    "tensorflow.compat.v1": "tensorweave",
    "tensorflow.compat.v2": "tensorweave",
    "tensorflow.python": "tensorweave.compat.tf_python",
    "tensorflow.python.client": "tensorweave.client",
    "tensorflow.python.client.timeline": "tensorweave.client.timeline",
    "tensorflow.python.client.device_lib": "tensorweave.runtime.devices",
    "tensorflow.python.framework": "tensorweave.compat.tf_python",
    "tensorflow.python.framework.ops": "tensorweave.framework.graph",
    "tensorflow.python.framework.dtypes": "tensorweave.framework.dtypes",
    "tensorflow.python.framework.errors": "tensorweave.framework.errors",
    "tensorflow.python.framework.errors_impl": "tensorweave.framework.errors",
    "tensorflow.python.framework.tensor_shape": "tensorweave.framework.tensor_shape",
    "tensorflow.python.framework.tensor_util": "tensorweave.framework.tensor_util",
    "tensorflow.python.framework.graph_util": "tensorweave.compat.api.graph_util",
    "tensorflow.python.platform": "tensorweave.compat.tf_python",
    "tensorflow.python.platform.gfile": "tensorweave.compat.api.gfile",
    "tensorflow.python.platform.tf_logging": "tensorweave.compat.api.logging",
    "tensorflow.python.training": "tensorweave.compat.api.train",
    "tensorflow.python.ops": "tensorweave.compat.tf_python",
    "tensorflow.examples": "tensorweave.examples",
    "tensorflow.examples.tutorials": "tensorweave.examples.tutorials",
    "tensorflow.examples.tutorials.mnist": "tensorweave.examples.tutorials.mnist",
    "tensorflow.examples.tutorials.mnist.input_data":
        "tensorweave.examples.tutorials.mnist.input_data",
    "tensorflow.contrib": "tensorweave.contrib",
    "tensorflow.keras": "tensorweave.compat.api.keras",
    "keras": "tensorweave.compat.api.keras",
}


def resolve(fullname):
    """The tensorweave module name for a TF module path, or None."""
    if fullname in ALIASES:
        return ALIASES[fullname]
    if fullname.startswith("keras."):  # standalone Keras scripts: keras.X -> tensorweave.keras.X
        fullname = "tensorflow." + fullname
    if not fullname.startswith("tensorflow."):
        return None
    rest = fullname[len("tensorflow."):]
    for prefix in ("tensorflow.compat.v1.", "tensorflow.compat.v2."):
        if fullname.startswith(prefix):
            rest = fullname[len(prefix):]
    if rest.startswith("contrib."):
        return "tensorweave." + rest
    for cand in ("tensorweave.compat.api." + rest, "tensorweave." + rest):
        try:
            if importlib.util.find_spec(cand) is not None:
                return cand
        except (ImportError, ValueError):
            continue
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self._target = target
        self._spec = None

    def create_module(self, spec):
        module = importlib.import_module(self._target)
        self._spec = module.__spec__
        if not hasattr(module, "__path__"):
            # NOTE: lets `import tensorflow.compat.v1` treat aliased modules as packages.
            module.__path__ = []
        return module

    def exec_module(self, module):
        # NOTE: the import system stamped the alias spec on the real module; restore it.
        if self._spec is not None:
            module.__spec__ = self._spec


class TensorflowAliasFinder(importlib.abc.MetaPathFinder):
    """Resolves `tensorflow...` imports to tensorweave modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow" and not fullname.startswith("tensorflow.") and \
                fullname != "keras" and not fullname.startswith("keras."):
            return None
        real = resolve(fullname)
        if real is None:
            raise ModuleNotFoundError(
                "tensorweave has no equivalent of the TensorFlow module '%s' yet (the script "
                "imports it). Import the public `tensorflow` names instead, or report it." %
                fullname, name=fullname)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real), is_package=True)


def install():
    """Installs the alias import hook (idempotent)."""
    if not any(isinstance(f, TensorflowAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TensorflowAliasFinder())


USAGE = """usage: python -m tensorweave run SCRIPT [ARGS...]
       python -m tensorweave tensorboard --logdir DIR [--port N]

run          run an unmodified TF1 script with `tensorflow` resolved to tensorweave
tensorboard  start the real TensorBoard (the `tensorboard` package) on a logdir
"""


def run_script(path, args):
    if not os.path.exists(path):
        sys.stderr.write("tensorweave run: no such script: %s\n" % path)
        return 2
    install()
    sys.argv = [path] + list(args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        runpy.run_path(path, run_name="__main__")
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as e:  # noqa: BLE001 - reported like a directly run script's error
        _print_script_traceback(e, path)
        return 1
    return 0


def _print_script_traceback(e, path):
    """Prints the traceback from the script's own frames on, as `python script.py` would."""
    import traceback

    tb = e.__traceback__
    script = os.path.abspath(path)
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != script:
        tb = tb.tb_next
    sys.stderr.write("".join(traceback.format_exception(type(e), e, tb or e.__traceback__)))
    sys.stderr.flush()


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        if not rest:
            sys.stderr.write(USAGE)
            return 2
        return run_script(rest[0], rest[1:])
    if cmd == "tensorboard":
        from tensorboard import main as tb_main

        sys.argv = ["tensorboard"] + rest
        return tb_main.run_main()
    if cmd.endswith(".py"):
        return run_script(cmd, rest)
    sys.stderr.write("tensorweave: unknown command %r\n%s" % (cmd, USAGE))
    return 2
