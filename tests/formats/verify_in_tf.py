"""Checks that real TensorFlow reads the files tensorweave.formats writes (not a pytest test).

Run with TensorFlow's Python from the repository root:

    PYTHONPATH=/work/main /tmp/tfvenv/bin/python tests/formats/verify_in_tf.py

The files are written by a child process running plain tensorweave without TensorFlow
(`TW_PYTHON`, default `python3`), so our own proto classes and framing produce the bytes;
this process then reads them with TF and compares values. Exit status 0 means all matched.
"""
import glob
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

N_EXAMPLES = 7


def make_values():
    """The tensors of the test bundle (deterministic, NumPy only)."""
    import ml_dtypes

    rng = np.random.RandomState(42)
    return {
        "dense/kernel": rng.randn(4, 3).astype(np.float32),
        "dense/kernel/Adam": rng.randn(4, 3).astype(np.float32),
        "global_step": np.array(1234, np.int64),
        "f64": rng.randn(2, 2),
        "f16": rng.randn(5).astype(np.float16),
        "bf16": rng.randn(3).astype(ml_dtypes.bfloat16),
        "i32": np.array([1, -2, 3], np.int32),
        "u8": np.arange(6, dtype=np.uint8).reshape(2, 3),
        "flag": np.array([True, False]),
        "c64": np.array([1 + 2j], np.complex64),
        "names": np.array([b"alpha", b"", b"\x00\xffbytes"], dtype=object),
        "empty": np.zeros((0, 2), np.float32),
    }


def example_values(i):
    return {"name": [b"ex%d" % i, b"\xff"], "score": [i * 0.25, -1.5],
            "ids": [i, -i, 2 ** 50 + i]}


def write_files(out):
    """Writes a bundle + checkpoint state, TFRecords of Examples and an event file."""
    from tensorboard.compat.proto import event_pb2, summary_pb2

    from tensorweave.formats import checkpoint_state, events, example_pb2, tensor_bundle, tfrecord

    prefix = os.path.join(out, "ckpt", "model.ckpt-7")
    tensor_bundle.write_bundle(prefix, make_values())
    checkpoint_state.update_checkpoint_state(os.path.join(out, "ckpt"), prefix,
                                             save_relative_paths=True)
    for name, comp in (("ex.tfrecord", None), ("ex.tfrecord.gz", "GZIP"),
                       ("ex.tfrecord.zlib", "ZLIB")):
        with tfrecord.TFRecordWriter(os.path.join(out, name), comp) as w:
            for i in range(N_EXAMPLES):
                v = example_values(i)
                e = example_pb2.Example(features=example_pb2.Features(feature={
                    "name": example_pb2.Feature(bytes_list=example_pb2.BytesList(
                        value=v["name"])),
                    "score": example_pb2.Feature(float_list=example_pb2.FloatList(
                        value=v["score"])),
                    "ids": example_pb2.Feature(int64_list=example_pb2.Int64List(value=v["ids"])),
                }))
                w.write(e.SerializeToString())
    w = events.EventFileWriter(os.path.join(out, "logs"))
    for step in range(5):
        w.add_event(event_pb2.Event(wall_time=time.time(), step=step,
                                    summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(
                                        tag="loss", simple_value=1.0 / (step + 1))])))
    w.close()


def check_in_tf(out):
    import tensorflow.compat.v1 as tf

    tf.disable_eager_execution()
    failures = []

    def check(cond, what):
        print(("ok    " if cond else "FAIL  ") + what)
        if not cond:
            failures.append(what)

    # 1. The bundle, through TF's checkpoint reader and through Saver.restore in graph mode.
    values = make_values()
    ckpt_dir = os.path.join(out, "ckpt")
    prefix = tf.train.latest_checkpoint(ckpt_dir)
    check(prefix == os.path.join(ckpt_dir, "model.ckpt-7"), "latest_checkpoint via our state file")
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes_ = reader.get_variable_to_dtype_map()
    check(sorted(shapes) == sorted(values), "bundle keys")
    for k, v in values.items():
        got = reader.get_tensor(k)
        same_dtype = (dtypes_[k].as_numpy_dtype == v.dtype
                      or (v.dtype == object and dtypes_[k] == tf.string))
        check(same_dtype and list(shapes[k]) == list(v.shape)
              and np.array_equal(np.asarray(got), v),
              "tensor %-18s %s%s" % (k, dtypes_[k].name, list(shapes[k])))
    g = tf.Graph()
    with g.as_default():
        kern = tf.get_variable("dense/kernel", [4, 3], tf.float32)
        step = tf.get_variable("global_step", [], tf.int64)
        names = tf.Variable(np.array([b"", b"", b""], object), name="names")
        saver = tf.train.Saver([kern, step, names])
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            k, s, n = sess.run([kern, step, names])
    check(np.array_equal(k, values["dense/kernel"]) and s == 1234
          and list(n) == list(values["names"]), "Saver.restore in graph mode")

    # 2. TFRecords of Examples, plain, GZIP and ZLIB.
    for name, comp in (("ex.tfrecord", None), ("ex.tfrecord.gz", "GZIP"),
                       ("ex.tfrecord.zlib", "ZLIB")):
        opts = tf.io.TFRecordOptions(comp) if comp else None
        recs = list(tf.io.tf_record_iterator(os.path.join(out, name), opts))
        ok = len(recs) == N_EXAMPLES
        for i, r in enumerate(recs):
            f = tf.train.Example.FromString(r).features.feature
            want = example_values(i)
            ok &= list(f["name"].bytes_list.value) == want["name"]
            ok &= np.allclose(list(f["score"].float_list.value), want["score"])
            ok &= list(f["ids"].int64_list.value) == want["ids"]
        check(ok, "tf_record_iterator + tf.train.Example on %s" % name)
    with tf.Graph().as_default():
        ds = tf.data.TFRecordDataset([os.path.join(out, "ex.tfrecord.gz")], "GZIP")
        parsed = ds.map(lambda s: tf.io.parse_single_example(s, {
            "ids": tf.io.FixedLenFeature([3], tf.int64),
            "score": tf.io.FixedLenFeature([2], tf.float32)}))
        nxt = tf.data.make_one_shot_iterator(parsed).get_next()
        with tf.Session() as sess:
            rows = [sess.run(nxt) for _ in range(N_EXAMPLES)]
    check(all(list(r["ids"]) == example_values(i)["ids"] for i, r in enumerate(rows)),
          "TFRecordDataset(GZIP) + parse_single_example")

    # 3. The event file.
    files = glob.glob(os.path.join(out, "logs", "events.out.tfevents.*"))
    check(len(files) == 1, "one event file named events.out.tfevents.*")
    evs = list(tf.train.summary_iterator(files[0]))
    check(evs[0].file_version == "brain.Event:2", "first event is file_version brain.Event:2")
    scal = [(e.step, e.summary.value[0].simple_value) for e in evs[1:]]
    check(scal == [(s, np.float32(1.0 / (s + 1))) for s in range(5)], "scalar summaries")
    return failures


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        write_files(sys.argv[2])
        return 0
    out = tempfile.mkdtemp(prefix="tw_verify_")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=repo)
    subprocess.run([os.environ.get("TW_PYTHON", "python3"), os.path.abspath(__file__),
                    "--write", out], check=True, env=env)
    failures = check_in_tf(out)
    print("\n%s: %d failure(s); files in %s" % ("PASS" if not failures else "FAIL",
                                                len(failures), out))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
