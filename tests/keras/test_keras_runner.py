"""`python -m tensorweave run` resolves `import keras` / `keras.*` to tensorweave's Keras."""
import subprocess
import sys


def test_runner_import_keras(tmp_path):
    script = tmp_path / "k.py"
    script.write_text(
        "import keras\n"
        "from keras.models import Sequential\n"
        "from keras.layers import Dense\n"
        "from keras import backend as K\n"
        "from tensorflow.keras.optimizers import SGD\n"
        "m = Sequential([Dense(2, input_shape=(3,))])\n"
        "print(keras.__name__, m.weights[0].name, K.image_data_format())\n")
    out = subprocess.run([sys.executable, "-m", "tensorweave", "run", str(script)],
                         check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "tensorweave.compat.api.keras dense/kernel:0 channels_last" in out.stdout
