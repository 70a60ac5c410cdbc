"""The optional C kernels: built whenever a C compiler is present, switchable off."""
import shutil
import subprocess
import sys

import pytest

from tensorweave import native


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                    reason="no C compiler: the NumPy kernels run")
def test_every_extension_built():
    st = native.status()
    missing = [m for m in native.MODULES if not st[m]]
    assert not missing, "C kernels not built (pip install -e . rebuilds them): %s" % missing
    assert st["isa"] in ("avx512f", "avx2", "generic")


def test_env_switch_turns_native_off():
    code = ("import tensorweave.native as n; import sys; "
            "sys.exit(0 if n.load('_probe') is None else 1)")
    env = {"TENSORWEAVE_NATIVE": "0", "PATH": ""}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0
