"""FileWriter: event files read back by TensorBoard's own EventAccumulator; lifetime and errors;
crash safety; FileWriterCache; the projector config."""
import glob
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.compat.proto import event_pb2, summary_pb2

import tensorweave as tf
from tensorweave.compat.api import train_summary
from tensorweave.summary.summary_iterator import summary_iterator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _accumulator(logdir):
    acc = ea.EventAccumulator(logdir, size_guidance={ea.SCALARS: 0, ea.HISTOGRAMS: 0,
                                                      ea.IMAGES: 0, ea.TENSORS: 0})
    acc.Reload()
    return acc


def _build_model():
    with tf.variable_scope("input"):
        x = tf.placeholder(tf.float32, [None, 4], name="input_x")
    with tf.variable_scope("layer"):
        w = tf.Variable(tf.ones([4, 2]), name="W")
        y = tf.matmul(x, w)
    with tf.variable_scope("loss"):
        loss = tf.reduce_mean(tf.square(y))
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("weights", w)
    tf.summary.image("batch", tf.reshape(x, [-1, 2, 2, 1]), max_outputs=2)
    return x, w, loss, tf.summary.merge_all()


def test_event_accumulator_reads_scalars_histograms_images_graph_and_run_metadata(tmp_path):
    x, w, loss, merged = _build_model()
    data = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
        losses = []
        for step in range(3):
            s, lv = sess.run([merged, loss], {x: data * (step + 1)})
            writer.add_summary(s, step)
            losses.append(float(lv))
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        md = tf.RunMetadata()
        sess.run(loss, {x: data}, options=opts, run_metadata=md)
        writer.add_run_metadata(md, "step3", global_step=3)
        writer.close()
    acc = _accumulator(str(tmp_path))
    tags = acc.Tags()
    # The scope 'loss/' exists, so TF names the summary (and its tag) 'loss_1'.
    assert tags["scalars"] == ["loss_1"]
    assert tags["histograms"] == ["weights"]
    assert sorted(tags["images"]) == ["batch/image/0", "batch/image/1"]
    assert tags["graph"] and tags["meta_graph"] and tags["run_metadata"] == ["step3"]
    scal = acc.Scalars("loss_1")
    assert [e.step for e in scal] == [0, 1, 2]
    np.testing.assert_allclose([e.value for e in scal], losses, rtol=1e-6)
    hist = acc.Histograms("weights")[0].histogram_value
    assert (hist.min, hist.max, hist.num, hist.sum) == (1.0, 1.0, 8.0, 8.0)
    img = acc.Images("batch/image/1")[2]
    assert (img.step, img.width, img.height) == (2, 2, 2)
    assert img.encoded_image_string.startswith(b"\x89PNG")
    graph = acc.Graph()
    names = {n.name for n in graph.node}
    assert {"input/input_x", "layer/W", "layer/MatMul", "loss/Mean", "loss_1"} <= names
    assert "_output_shapes" in [n for n in graph.node if n.name == "layer/MatMul"][0].attr
    assert {n.name for n in acc.MetaGraph().graph_def.node} == names
    rm = acc.RunMetadata("step3")
    stats = {ns.node_name for d in rm.step_stats.dev_stats for ns in d.node_stats}
    assert "loss/Mean" in stats


def test_add_summary_accepts_protos_and_strips_repeated_metadata(tmp_path):
    meta = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
    with tf.summary.FileWriter(str(tmp_path), filename_suffix=".v1") as w:
        for step in range(2):
            s = tf.Summary(value=[tf.Summary.Value(tag="acc", simple_value=0.5 + step),
                                  tf.Summary.Value(tag="note", metadata=meta)])
            w.add_summary(s if step else s.SerializeToString(), global_step=step)
        w.add_session_log(tf.summary.SessionLog(status=tf.summary.SessionLog.START), 5)
        ev = event_pb2.Event(step=9, wall_time=1.0, file_version="x")
        w.add_event(ev)
        assert w.get_logdir() == str(tmp_path)
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*.v1"))
    events = list(summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    s0, s1 = events[1].summary, events[2].summary
    assert (events[1].step, events[2].step) == (0, 1)
    assert s0.value[1].HasField("metadata") and not s1.value[1].HasField("metadata")
    assert s1.value[0].simple_value == 1.5
    assert events[3].session_log.status == event_pb2.SessionLog.START and events[3].step == 5
    assert events[4] == ev


def test_add_graph_variants_and_errors(tmp_path):
    tf.constant(1.0, name="c")
    g = tf.get_default_graph()
    w = tf.summary.FileWriter(str(tmp_path))
    w.add_graph(g, global_step=1)
    w.add_graph(None, graph_def=g.as_graph_def())
    with pytest.raises(ValueError, match="only graph, or graph_def"):
        w.add_graph(g, graph_def=g.as_graph_def())
    with pytest.raises(TypeError, match="instance of `Graph`"):
        w.add_graph("graph")
    with pytest.raises(TypeError, match="must be type MetaGraphDef"):
        w.add_meta_graph(g.as_graph_def())
    md = tf.RunMetadata()
    w.add_run_metadata(md, "t")
    with pytest.raises(ValueError, match="tag was already used"):
        w.add_run_metadata(md, "t")
    w.close()
    events = list(summary_iterator(glob.glob(str(tmp_path / "events.*"))[0]))
    graphs = [e for e in events if e.graph_def]
    assert len(graphs) == 2 and graphs[0].step == 1
    assert tf.GraphDef.FromString(graphs[1].graph_def).node[0].name == "c"


def test_closed_writer_warns_and_ignores_until_reopened(tmp_path):
    w = tf.summary.FileWriter(str(tmp_path))
    w.close()
    w.close()  # idempotent
    with pytest.warns(UserWarning, match="closed FileWriter"):
        w.add_summary(tf.Summary(value=[tf.Summary.Value(tag="a", simple_value=1)]), 1)
    with pytest.warns(UserWarning, match="closed FileWriter"):
        w.flush()
    first = glob.glob(str(tmp_path / "events.*"))
    assert len(first) == 1 and len(list(summary_iterator(first[0]))) == 1
    time.sleep(1.05)  # a new file name needs a new second
    w.reopen()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.add_summary(tf.Summary(value=[tf.Summary.Value(tag="a", simple_value=2)]), 2)
    w.close()
    files = sorted(glob.glob(str(tmp_path / "events.*")))
    assert len(files) == 2
    assert list(summary_iterator(files[1]))[1].summary.value[0].simple_value == 2


def test_unwritable_logdir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(tf.errors.OpError, match=str(blocker)):
        tf.summary.FileWriter(str(blocker / "logs"))
    with pytest.raises(tf.errors.NotFoundError, match="/proc/nope"):
        tf.summary.FileWriter("/proc/nope")
    with pytest.raises(ValueError, match="needs a logdir"):
        tf.summary.FileWriter("")


def test_file_writer_cache_and_train_aliases(tmp_path):
    a = tf.summary.FileWriterCache.get(str(tmp_path))
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is a
    tf.summary.FileWriterCache.clear()
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is not a
    tf.summary.FileWriterCache.clear()
    assert train_summary.SummaryWriter is tf.summary.FileWriter
    assert train_summary.SummaryWriterCache is tf.summary.FileWriterCache
    from tensorweave.formats import events

    assert train_summary.summary_iterator is events.summary_iterator


def test_tf_train_summary_names():
    if not hasattr(tf.train, "SummaryWriter"):
        pytest.skip("tf.train does not star-import tensorweave.compat.api.train_summary yet "
                    "(add `from tensorweave.compat.api.train_summary import *` to "
                    "tensorweave/compat/api/train.py)")
    assert tf.train.SummaryWriter is tf.summary.FileWriter
    assert tf.train.summary_iterator is train_summary.summary_iterator


def test_projector_config_written_as_seed_003(tmp_path):
    from google.protobuf import text_format
    from tensorboard.plugins.projector import projector_config_pb2

    projector = tf.contrib.tensorboard.plugins.projector
    embedding = tf.Variable(tf.zeros([10, 4]), name="test_embedding")
    writer = tf.summary.FileWriter(str(tmp_path))
    config = projector.ProjectorConfig()
    emb = config.embeddings.add()
    emb.tensor_name = embedding.name
    emb.sprite.image_path = os.path.join(str(tmp_path), "sprite.png")
    emb.sprite.single_image_dim.extend([28, 28])
    projector.visualize_embeddings(writer, config)
    writer.close()
    text = (tmp_path / "projector_config.pbtxt").read_text()
    back = text_format.Parse(text, projector_config_pb2.ProjectorConfig())
    assert back.embeddings[0].tensor_name == "test_embedding:0"
    assert list(back.embeddings[0].sprite.single_image_dim) == [28, 28]


_CRASHING = textwrap.dedent("""
    import sys
    sys.path.insert(0, %r)
    import numpy as np
    import tensorweave as tf
    x = tf.placeholder(tf.float32, [None])
    tf.summary.scalar("loss", tf.reduce_mean(x))
    tf.summary.histogram("x", x)
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(sys.argv[1], tf.get_default_graph(), flush_secs=3600)
    with tf.Session() as sess:
        step = 0
        while True:
            writer.add_summary(sess.run(merged, {x: np.arange(50.0) + step}), step)
            if step %% 5 == 4:
                writer.flush()
                print(step, flush=True)
            step += 1
""") % ROOT


def test_killed_training_leaves_a_readable_event_file(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(_CRASHING)
    logdir = tmp_path / "logs"
    proc = subprocess.Popen([sys.executable, str(script), str(logdir)], stdout=subprocess.PIPE,
                            text=True)
    try:
        flushed = -1
        deadline = time.time() + 60
        while flushed < 24 and time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            flushed = int(line)
        proc.send_signal(signal.SIGKILL)  # no atexit, no final flush: a hard crash
    finally:
        proc.kill()
        proc.wait()
    assert flushed >= 24
    acc = _accumulator(str(logdir))
    steps = [e.step for e in acc.Scalars("loss")]
    assert steps[:flushed + 1] == list(range(flushed + 1))
    assert len(acc.Histograms("x")) >= flushed + 1 and acc.Tags()["graph"]
    # A record cut in half (the crash hit mid-write) is skipped, not an error.
    (path,) = glob.glob(str(logdir / "events.*"))
    with open(path, "ab") as f:
        f.write(b"\x30\x00\x00\x00\x00\x00\x00\x00\x12\x34")
    assert len([e for e in summary_iterator(path) if e.summary.value]) >= flushed + 1
    assert [e.step for e in _accumulator(str(logdir)).Scalars("loss")][:flushed + 1] == \
        list(range(flushed + 1))
