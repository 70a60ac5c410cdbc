"""The legacy runner: unmodified TF1 scripts with `import tensorflow as tf`."""
import subprocess
import sys
import textwrap


def _run(tmp_path, src, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(src))
    return subprocess.run([sys.executable, "-m", "tensorweave", "run", str(script), *args],
                          capture_output=True, text=True, timeout=120)


def test_imports_resolve_and_argv_passes(tmp_path):
    r = _run(tmp_path, """
        import sys
        import tensorflow as tf
        import tensorflow.compat.v1 as tf1
        from tensorflow.examples.tutorials.mnist import input_data
        assert tf is tf1
        print("argv", sys.argv[1:], tf.constant(1.0).dtype.name, input_data.read_data_sets.__name__)
    """, "--flag", "x")
    assert r.returncode == 0, r.stderr
    assert "argv ['--flag', 'x'] float32 read_data_sets" in r.stdout


def test_exit_status_and_traceback(tmp_path):
    r = _run(tmp_path, """
        import sys
        import tensorflow as tf
        if len(sys.argv) > 1:
            sys.exit(3)
        raise RuntimeError("boom from the script")
    """)
    assert r.returncode == 1
    assert "RuntimeError: boom from the script" in r.stderr and "script.py" in r.stderr
    r = _run(tmp_path, "import sys\nsys.exit(3)\n", "x")
    assert r.returncode == 3


def test_unknown_tf_module_is_a_clear_import_error(tmp_path):
    r = _run(tmp_path, "import tensorflow.no_such_module\n")
    assert r.returncode == 1
    assert "no equivalent of the TensorFlow module 'tensorflow.no_such_module'" in r.stderr
