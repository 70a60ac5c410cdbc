"""Builds tensorweave's optional C kernels (tensorweave/native/*.c).

Metadata lives in pyproject.toml.  Every extension is optional: without a C compiler the
install still succeeds and the NumPy kernels run.  The kernels are compiled for the machine
that installs them (-march=native): an install is a build on the machine that runs it.
TENSORWEAVE_NATIVE_CFLAGS replaces the machine-specific flags (e.g. for a portable build).
"""
import glob
import os
import sysconfig

from setuptools import Extension, setup

# One extension per tensorweave/native/_<name>.c; TENSORWEAVE_NATIVE_ONLY=_a,_b builds a subset
# (handy with `python setup.py build_ext --inplace` while working on one kernel file).
NATIVE_MODULES = sorted(os.path.basename(p)[:-2] for p in glob.glob("tensorweave/native/_*.c"))
if os.environ.get("TENSORWEAVE_NATIVE_ONLY"):
    NATIVE_MODULES = [m for m in NATIVE_MODULES
                      if m in os.environ["TENSORWEAVE_NATIVE_ONLY"].split(",")]

_machine = os.environ.get("TENSORWEAVE_NATIVE_CFLAGS")
_cflags = ["-O3", "-std=c11", "-fno-math-errno", "-Wall", "-Wno-unused-function"]
if _machine is not None:
    _cflags += _machine.split()
elif sysconfig.get_platform().startswith(("linux-x86_64", "macosx")) and "x86_64" in (
        sysconfig.get_platform()):
    _cflags += ["-march=native", "-mprefer-vector-width=512"]



def _libraries(name):
    """Libraries a kernel file links, from a `tw-libraries: z m` line in its first 40 lines."""
    with open("tensorweave/native/%s.c" % name) as f:
        for _, line in zip(range(40), f):
            if "tw-libraries:" in line:
                return line.split("tw-libraries:", 1)[1].replace("*/", "").split()
    return []


ext_modules = [
    Extension("tensorweave.native." + name, ["tensorweave/native/%s.c" % name],
              depends=["tensorweave/native/tw_native.h"], extra_compile_args=_cflags,
              libraries=_libraries(name), optional=True)
    for name in NATIVE_MODULES
]

setup(ext_modules=ext_modules)
