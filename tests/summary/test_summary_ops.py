"""Summary ops: TF's op names/tags/attrs, kernels against NumPy references, errors.

Expected names, tags and values below were recorded from TensorFlow 2.21 (tf.compat.v1).
"""
import io
import wave

import numpy as np
import pytest
from tensorboard.compat.proto import summary_pb2

import tensorweave as tf
from tensorweave.ops import summary_ops

PIL = pytest.importorskip("PIL.Image")


def _summ(x):
    if hasattr(x, "item") and not isinstance(x, bytes):
        x = x.item()
    return summary_pb2.Summary.FromString(x)


def _decode_png(b):
    return np.array(PIL.open(io.BytesIO(b)))


def test_names_tags_and_collections_follow_tf():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    with tf.name_scope("summaries"):
        m = tf.reduce_mean(x)
        s1 = tf.summary.scalar("mean", m)
        s1b = tf.summary.scalar("mean", m)
        s2 = tf.summary.scalar("fam", m, family="famx")
        h = tf.summary.histogram("histogram", x)
    i1 = tf.summary.image("input", tf.zeros([2, 3, 2, 3]), 2)
    a = tf.summary.audio("aud", tf.zeros([2, 5]), 8000, max_outputs=2)
    t = tf.summary.text("txt", tf.constant(["hello", "world"]))
    ts = tf.summary.tensor_summary("tens", tf.constant([[1, 2]]))
    mg = tf.summary.merge_all()
    # 'summaries/Mean' already exists: names are unique case-insensitively, as in TF.
    assert s1.name == "summaries/mean_1:0" and s1b.name == "summaries/mean_2:0"
    assert s2.name == "summaries/famx/fam:0"
    assert h.name == "summaries/histogram:0" and h.op.type == "HistogramSummary"
    assert [i.name for i in s1.op.inputs] == ["summaries/mean_1/tags:0", "summaries/Mean:0"]
    assert [i.name for i in h.op.inputs] == ["summaries/histogram/tag:0", "x:0"]
    assert i1.op.type == "ImageSummary" and i1.op.get_attr("max_images") == 2
    assert sorted(i1.op.node_def.attr) == ["T", "bad_color", "max_images"]
    assert [i.name for i in a.op.inputs][2] == "aud/sample_rate:0"
    assert a.op.type == "AudioSummaryV2" and a.op.get_attr("max_outputs") == 2
    assert t.op.type == "TensorSummaryV2"
    assert [i.name for i in t.op.inputs] == ["txt/tag:0", "Const:0",
                                             "txt/serialized_summary_metadata:0"]
    assert mg.name == "Merge/MergeSummary:0" and mg.op.get_attr("N") == 8
    assert [v.name for v in tf.get_collection(tf.GraphKeys.SUMMARIES)] == [
        "summaries/mean_1:0", "summaries/mean_2:0", "summaries/famx/fam:0",
        "summaries/histogram:0", "input:0", "aud:0", "txt:0", "tens:0"]
    for v in (s1, h, i1, a, t, ts, mg):
        assert v.dtype == tf.string and v.shape.as_list() == []
    with tf.Session() as sess:
        out = sess.run([s1, s2, t, ts], {x: [[1, 2, 3, 4]]})
    assert _summ(out[0]).value[0].tag == "summaries/mean_1"
    assert _summ(out[0]).value[0].simple_value == 2.5
    assert _summ(out[1]).value[0].tag == "famx/summaries/famx/fam"
    txt = _summ(out[2]).value[0]
    assert txt.metadata.plugin_data.plugin_name == "text"
    assert list(txt.tensor.string_val) == [b"hello", b"world"]
    tens = _summ(out[3]).value[0]
    assert tens.HasField("metadata") and tens.tensor.tensor_content == \
        np.array([1, 2], np.int32).tobytes()


def test_clean_tag_collections_and_merge_names():
    c = tf.constant(1.0)
    s = tf.summary.scalar("bad name!", c, collections=["mine"])
    assert s.name == "bad_name_:0"
    assert tf.get_collection("mine") == [s] and tf.get_collection(tf.GraphKeys.SUMMARIES) == []
    s2 = tf.summary.scalar("/lead", c)
    assert s2.name == "lead:0"
    m = tf.summary.merge([s, s2], name="both")
    assert m.name == "both/both:0"
    assert tf.summary.merge_all("nokey") is None
    assert tf.summary.merge_all("mine").op.inputs[0] is s
    with pytest.raises(ValueError, match="shorter than minimum length 1"):
        tf.summary.merge([])


def test_scalar_kernel_values_and_vector_tags():
    v = tf.placeholder(tf.float64, [3])
    s = tf.scalar_summary(["a", "b", "c"], v)
    assert s.name == "ScalarSummary:0"
    vals = np.random.RandomState(1).randn(3)
    with tf.Session() as sess:
        got = _summ(sess.run(s, {v: vals}))
    assert [x.tag for x in got.value] == ["a", "b", "c"]
    np.testing.assert_allclose([x.simple_value for x in got.value], vals.astype(np.float32))
    others = [tf.summary.scalar("s", tf.constant(7, dt))
              for dt in (tf.int32, tf.int64, tf.uint8, tf.float16)]
    with tf.Session() as sess:
        for r in sess.run(others):
            assert _summ(r).value[0].simple_value == 7.0


def _reference_histogram(values):
    """A direct (slow) rendering of TF's Histogram::Add and EncodeToProto."""
    limits = summary_ops.DEFAULT_BUCKET_LIMITS
    counts = np.zeros(len(limits))
    for v in values:
        counts[min(int(np.searchsorted(limits, v, side="right")), len(limits) - 1)] += 1
    out_l, out_c = [], []
    i = 0
    while i < len(counts):
        end, c = limits[i], counts[i]
        i += 1
        if c <= 0:
            while i < len(counts) and counts[i] <= 0:
                end, c = limits[i], counts[i]
                i += 1
        out_l.append(end)
        out_c.append(c)
    return out_l, out_c


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_histogram_matches_tf_rules(dtype):
    rs = np.random.RandomState(0)
    vals = (rs.randn(500) * 100).astype(dtype)
    p = tf.placeholder(tf.as_dtype(dtype), [None])
    h = tf.summary.histogram("h", p)
    with tf.Session() as sess:
        got = _summ(sess.run(h, {p: vals})).value[0].histo
    v64 = vals.astype(np.float64)
    assert got.min == v64.min() and got.max == v64.max() and got.num == 500
    assert got.sum == pytest.approx(v64.sum(), rel=1e-12)
    assert got.sum_squares == pytest.approx((v64 ** 2).sum(), rel=1e-12)
    ref_l, ref_c = _reference_histogram(v64)
    assert list(got.bucket_limit) == ref_l and list(got.bucket) == ref_c


def test_default_buckets_and_recorded_tf_histogram():
    limits = summary_ops.DEFAULT_BUCKET_LIMITS
    assert limits[0] == -np.finfo(np.float64).max and limits[-1] == np.finfo(np.float64).max
    assert 0.0 in limits and limits[len(limits) // 2 + 1] == 1e-12
    assert np.all(np.diff(limits) > 0)
    # Recorded from TF: tf.summary.histogram of [[1, 2, 3, 4], [0.5, -1, 1e-3, 0]] (float32).
    h = summary_ops.histogram_proto(np.array([[1, 2, 3, 4], [0.5, -1, 1e-3, 0]], np.float32))
    assert h.sum == 9.5010000000474975 and h.sum_squares == 31.250001000000093
    assert list(h.bucket_limit)[:5] == [-1.0089710279437536, -0.917246389039776, 0, 1e-12,
                                        0.00095987057683278915]
    assert list(h.bucket) == [0, 1] * 8 + [0]
    empty = summary_ops.histogram_proto(np.zeros([0], np.float32))
    assert empty.num == 0 and list(empty.bucket) == [0] and empty.min > 1e308


def test_bucket_lookup_equals_upper_bound_over_the_limits():
    limits = summary_ops.DEFAULT_BUCKET_LIMITS
    rs = np.random.RandomState(7)
    with np.errstate(over="ignore"):
        cases = [rs.randn(20000) * 10.0 ** rs.randint(-320, 300, 20000), limits,
                 np.nextafter(limits, np.inf), np.nextafter(limits[1:], -np.inf),
                 np.array([0.0, -0.0, 5e-324, -5e-324, 1e-12, -1e-12])]
    for v in cases:
        v = v[np.isfinite(v)]
        ref = np.minimum(np.searchsorted(limits, v, side="right"), len(limits) - 1)
        np.testing.assert_array_equal(summary_ops.bucket_indices(v), ref)


def test_histogram_non_finite_errors_name_the_op():
    p = tf.placeholder(tf.float32)
    h = tf.summary.histogram("hh", p)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Nan in summary histogram "
                                                                 "for: hh"):
            sess.run(h, {p: [1.0, np.nan]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Infinity in Histogram"):
            sess.run(h, {p: [np.inf, 1.0]})


def _ref_normalize(img):
    img = img.astype(np.float32)
    finite = np.isfinite(img).all(axis=-1)
    vals = img[finite]
    lo, hi = vals.min(), vals.max()
    if lo < 0:
        scale, off = np.float32(127.0) / max(abs(lo), abs(hi)), np.float32(128)
    else:
        scale, off = np.float32(255.0) / hi, np.float32(0)
    with np.errstate(invalid="ignore"):
        out = (img * scale + off).astype(np.uint8)
    out[~finite] = np.array([255, 0, 0, 255], np.uint8)[:img.shape[-1]]
    return out


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_image_float_normalisation_tags_and_png(channels):
    rs = np.random.RandomState(channels)
    data = rs.randn(4, 6, 5, channels).astype(np.float32)
    data[1] = np.abs(data[1]) / 10  # all-positive image: max -> 255
    data[2, 0, 0, 0] = np.nan        # bad_color pixel
    p = tf.placeholder(tf.float32, [None, 6, 5, channels])
    s = tf.summary.image("im", p, max_outputs=3)
    with tf.Session() as sess:
        got = _summ(sess.run(s, {p: data}))
    assert [v.tag for v in got.value] == ["im/image/0", "im/image/1", "im/image/2"]
    for i, v in enumerate(got.value):
        assert (v.image.height, v.image.width, v.image.colorspace) == (6, 5, channels)
        px = _decode_png(v.image.encoded_image_string).reshape(6, 5, channels)
        np.testing.assert_array_equal(px, _ref_normalize(data[i]))
    assert _decode_png(got.value[1].image.encoded_image_string).max() == 255


def test_image_uint8_single_output_tag_and_both_png_encoders():
    data = np.random.RandomState(3).randint(0, 256, (2, 4, 7, 3)).astype(np.uint8)
    s = tf.summary.image("one", tf.constant(data), max_outputs=1)
    with tf.Session() as sess:
        got = _summ(sess.run(s))
    assert [v.tag for v in got.value] == ["one/image"]
    np.testing.assert_array_equal(_decode_png(got.value[0].image.encoded_image_string), data[0])
    for c in (1, 3, 4):
        img = data[0][:, :, :1].repeat(c, axis=2) if c != 3 else data[0]
        a = _decode_png(summary_ops.encode_png_zlib(img)).reshape(img.shape)
        b = _decode_png(summary_ops.encode_png_pillow(img)).reshape(img.shape)
        np.testing.assert_array_equal(a, img)
        np.testing.assert_array_equal(b, img)


def test_image_wrong_rank_or_depth_is_a_run_time_error_naming_the_op():
    p = tf.placeholder(tf.float32)
    s = tf.summary.image("pi", p)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Tensor must be 4-D with last dim 1, 3, or 4, not \[2,2,2\]"
                           ) as e:
            sess.run(s, {p: np.zeros([2, 2, 2])})
        assert "pi" in str(e.value)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"not \[2,2,2,2\]"):
            sess.run(s, {p: np.zeros([2, 2, 2, 2])})
        assert sess.run(s, {p: np.zeros([0, 2, 2, 1])}) in (b"", np.array(b"", object))


def test_scalar_non_scalar_is_a_run_time_error_naming_the_op():
    p = tf.placeholder(tf.float32)
    s = tf.summary.scalar("p", p)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"tags and values are not the same shape: \[\] != \[2\] "
                                 r"\(tag 'p'\)") as e:
            sess.run(s, {p: [1.0, 2.0]})
    assert e.value.op is s.op


def test_graph_time_type_errors():
    with pytest.raises(TypeError, match="DataType string not in list of allowed values"):
        tf.summary.scalar("s", tf.constant("x"))
    with pytest.raises(TypeError, match="DataType int32 not in list"):
        tf.summary.image("i", tf.zeros([1, 2, 2, 1], tf.int32))
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("t", tf.constant(1))


def test_audio_wav_encoding():
    rs = np.random.RandomState(5)
    clip = rs.uniform(-1.2, 1.2, (3, 11, 2)).astype(np.float32)
    p = tf.placeholder(tf.float32, [None, None, 2])
    s = tf.summary.audio("aud", p, 8000, max_outputs=2)
    with tf.Session() as sess:
        got = _summ(sess.run(s, {p: clip}))
    assert [v.tag for v in got.value] == ["aud/audio/0", "aud/audio/1"]
    for i, v in enumerate(got.value):
        a = v.audio
        assert (a.sample_rate, a.num_channels, a.length_frames, a.content_type) == (
            8000, 2, 11, "audio/wav")
        with wave.open(io.BytesIO(a.encoded_audio_string)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 8000)
            pcm = np.frombuffer(w.readframes(11), "<i2").reshape(11, 2)
        x = clip[i].astype(np.float64) * 32768
        ref = np.clip(np.sign(x) * np.floor(np.abs(x) + 0.5), -32768, 32767)
        np.testing.assert_array_equal(pcm, ref)
    bad = tf.summary.audio("bad", tf.placeholder(tf.float32), 100.0)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"3-D or 2-D, got: \[2\]"):
        sess.run(bad, {bad.op.inputs[1]: np.zeros([2])})


def test_merge_union_and_duplicate_tags():
    a = tf.summary.scalar("a", tf.constant(1.0))
    b = tf.summary.histogram("b", tf.constant([1.0, 2.0]))
    m = tf.summary.merge([a, b])
    dup = tf.summary.merge([a, a])
    with tf.Session() as sess:
        ra, rb, rm = sess.run([a, b, m])
        merged = _summ(rm)
        assert [v.tag for v in merged.value] == ["a", "b"]
        assert merged == summary_pb2.Summary(value=list(_summ(ra).value) +
                                             list(_summ(rb).value))
        with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag a found"):
            sess.run(dup)


def test_tf0_aliases_and_get_summary_description():
    x = tf.constant([[1.0, 2.0]])
    h = tf.histogram_summary("w", x)
    i = tf.image_summary("img", tf.zeros([1, 2, 2, 1]), max_images=1)
    au = tf.audio_summary("snd", tf.zeros([1, 4]), 100)
    m = tf.merge_all_summaries()
    assert (h.name, i.name, au.name) == ("HistogramSummary:0", "ImageSummary:0",
                                          "AudioSummary:0")
    assert m.op.type == "MergeSummary" and len(m.op.inputs) == 3
    assert tf.merge_summary([h]).op.type == "MergeSummary"
    with tf.Session() as sess:
        assert [v.tag for v in _summ(sess.run(m)).value] == ["w", "img/image", "snd/audio/0"]
    nd = tf.NodeDef(op="TensorSummary")
    nd.attr["description"].s = b'{"typeHint": "x"}'
    assert tf.summary.get_summary_description(nd).type_hint == "x"
    with pytest.raises(ValueError, match="Can't get_summary_description"):
        tf.summary.get_summary_description(tf.NodeDef(op="Const"))
    assert tf.summary.SummaryDescription is summary_pb2.SummaryDescription
    assert tf.summary.Summary is summary_pb2.Summary


def test_summary_ops_registered_not_differentiable():
    from tensorweave.framework import registry

    for t in ("ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary",
              "AudioSummaryV2", "TensorSummary", "TensorSummaryV2", "MergeSummary"):
        opdef = registry.get_opdef(t)
        assert opdef.grad is None and opdef.shape_fn is not None
