"""End to end: the seed 000 section 3.4 program writes a logdir; the real TensorBoard server
(started with `python -m tensorweave tensorboard`) serves it; headless Chromium renders it.

Checks go through TensorBoard's HTTP data API (the same JSON its pages load): the scalars
plugin lists the `loss` chart with one point per step, and the graph plugin returns the scoped
nodes. Screenshots of the scalars and graph pages are saved as artifacts under
`<tmpdir>/tensorweave_test_artifacts/tensorboard_e2e/`. Skips with the reason when Chromium
(Debian's `chromium` package) or a free localhost port is missing.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(tempfile.gettempdir(), "tensorweave_test_artifacts", "tensorboard_e2e")

# Seed 000, section 3.4 (scoped inputs/layer/loss, variable_summaries, merge_all, FileWriter
# with sess.graph), plus a scalar summary of the loss for the scalars page.
SEED_PROGRAM = textwrap.dedent("""
    import sys
    import numpy as np
    import tensorflow as tf

    with tf.variable_scope("input"):
        x = tf.placeholder(tf.float32, [None, 784], name="input_x")
        label = tf.placeholder(tf.float32, [None, 10], name="input_label")
    with tf.variable_scope("first-nn-layer"):
        W = tf.Variable(tf.zeros([784, 10]), name="W")
        b = tf.Variable(tf.zeros([10]), name="b")
        y = tf.matmul(x, W) + b
    with tf.variable_scope("loss"):
        loss = tf.reduce_mean(tf.square(y - label))
        tf.summary.scalar("loss", loss)

    def variable_summaries(var):
        with tf.name_scope('summaries'):
            mean = tf.reduce_mean(var)
            tf.summary.scalar('mean', mean)
            with tf.name_scope('stddev'):
                stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
            tf.summary.scalar('stddev', stddev)
            tf.summary.scalar('max', tf.reduce_max(var))
            tf.summary.scalar('min', tf.reduce_min(var))
            tf.summary.histogram('histogram', var)

    variable_summaries(W)
    train = tf.train.GradientDescentOptimizer(0.001).minimize(loss)
    merged = tf.summary.merge_all()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    train_writer = tf.summary.FileWriter(sys.argv[1], sess.graph)
    rs = np.random.RandomState(0)
    for itr in range(20):
        batch_xs = rs.rand(32, 784).astype(np.float32)
        batch_ys = np.eye(10, dtype=np.float32)[rs.randint(0, 10, 32)]
        summary, _ = sess.run([merged, train], feed_dict={x: batch_xs, label: batch_ys})
        train_writer.add_summary(summary, itr)
    train_writer.close()
""")


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _free_port():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    except OSError:
        return None


def _get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def _screenshot(chromium, url, path):
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--window-size=1400,1000",
                    "--virtual-time-budget=20000", "--screenshot=%s" % path, url],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                   check=False)
    with open(path, "rb") as f:
        return f.read()


def _check_rendered(png, page):
    """The page was drawn by the TensorBoard app: its orange toolbar and a non-trivial body
    (charts or graph nodes), not a blank or error page."""
    try:
        import io

        import numpy as np
        from PIL import Image
    except ImportError:
        return
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    toolbar = px[:40].reshape(-1, 3)
    orange = (toolbar[:, 0] > 220) & (toolbar[:, 1] > 90) & (toolbar[:, 1] < 160) & \
        (toolbar[:, 2] < 60)
    assert orange.mean() > 0.5, "%s: TensorBoard's toolbar is not on the screenshot" % page
    body = px[80:, 350:].reshape(-1, 3)
    assert (body.std(axis=0) > 5).all(), "%s: the page body is blank" % page


@pytest.mark.slow
def test_seed_000_logdir_in_real_tensorboard_and_headless_chromium(tmp_path):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("headless Chromium not installed (apt-get install -y chromium)")
    port = _free_port()
    if port is None:
        pytest.skip("no free localhost port to start TensorBoard on")
    pytest.importorskip("tensorboard.main")
    logdir = tmp_path / "logdir"
    script = tmp_path / "seed000_3_4.py"
    script.write_text(SEED_PROGRAM)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-m", "tensorweave", "run", str(script), str(logdir)],
                   check=True, cwd=str(tmp_path), env=env, timeout=300)
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorweave", "tensorboard", "--logdir", str(logdir),
         "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=str(tmp_path))
    base = "http://127.0.0.1:%d" % port
    try:
        tags = {}
        deadline = time.time() + 90
        while time.time() < deadline:
            if server.poll() is not None:
                pytest.fail("TensorBoard exited: %s" % server.stderr.read().decode()[-2000:])
            try:
                tags = json.loads(_get(base + "/data/plugin/scalars/tags"))
                if tags.get(".", {}).get("loss/loss"):
                    break
            except (urllib.error.URLError, ConnectionError, ValueError):
                pass
            time.sleep(0.5)
        run_tags = tags.get(".", {})
        assert "loss/loss" in run_tags, tags
        # TF's tags for this program ('summaries/Mean' etc. exist first: names are unique
        # case-insensitively, so the summaries get '_1').
        assert set(run_tags) == {"loss/loss", "summaries/mean_1", "summaries/stddev_1",
                                 "summaries/max_1", "summaries/min_1"}
        points = json.loads(_get(base + "/data/plugin/scalars/scalars?run=.&tag=loss/loss"))
        assert [p[1] for p in points] == list(range(20))
        assert points[-1][2] < points[0][2]  # the loss went down
        hist = json.loads(_get(base + "/data/plugin/histograms/tags"))
        assert "summaries/histogram" in hist["."]
        graph = _get(base + "/data/plugin/graphs/graph?run=.").decode()
        for node in ("input/input_x", "input/input_label", "first-nn-layer/W",
                     "first-nn-layer/MatMul", "loss/Mean", "summaries/stddev/Sqrt",
                     "Merge/MergeSummary", "GradientDescent"):
            assert 'name: "%s"' % node in graph, node
        os.makedirs(ARTIFACTS, exist_ok=True)
        for page in ("scalars", "graphs"):
            shot = os.path.join(ARTIFACTS, "%s.png" % page)
            png = _screenshot(chromium, base + "/#" + page, shot)
            assert png.startswith(b"\x89PNG") and len(png) > 10000, (page, len(png))
            shutil.copy(shot, str(tmp_path / os.path.basename(shot)))
            _check_rendered(png, page)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
