"""Optional C kernels (built by `pip install` when a C compiler is present).

Each submodule is imported through `load(name)`, which returns None when the extension was
not built, failed to import, or the user turned native kernels off with
TENSORWEAVE_NATIVE=0; callers then use their NumPy implementation, which stays the reference
the C kernels are tested against.
"""
import glob
import importlib
import os

_CACHE = {}


def enabled():
    return os.environ.get("TENSORWEAVE_NATIVE", "1") != "0"


def load(name):
    """The built extension `tensorweave.native.<name>`, or None."""
    if not enabled():
        return None
    if name not in _CACHE:
        try:
            _CACHE[name] = importlib.import_module("tensorweave.native." + name)
        except ImportError:
            _CACHE[name] = None
    return _CACHE[name]


def status():
    """{module: True/False} for every extension the build knows of, plus the compiled ISA."""
    out = {}
    for name in MODULES:
        out[name] = load(name) is not None
    probe = load("_probe")
    out["isa"] = probe.isa() if probe is not None else None
    return out


# setup.py builds one extension per _<name>.c file here.
MODULES = tuple(sorted(os.path.basename(p)[:-2] for p in glob.glob(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "_*.c"))))
