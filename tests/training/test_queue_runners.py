"""Queues, QueueRunner, Coordinator and the tf.train batching functions, incl. stress tests.

Every blocking call is bounded (RunOptions.timeout_in_ms or thread joins with timeouts), so a
deadlock fails the test instead of hanging it.
"""
import threading
import time

import numpy as np
import pytest
from tensorboard.compat.proto import config_pb2

import tensorweave as tf
from tensorweave.ops import data_flow_ops as dfo
from tensorweave.training import coordinator as coord_lib
from tensorweave.training import input as inp
from tensorweave.training import queue_runner as qr_lib

errors = tf.errors


def _opts(ms=5000):
    return config_pb2.RunOptions(timeout_in_ms=ms)


# ------------------------------------------------------------------ graph
def test_queue_op_names_types_and_shapes():
    q = dfo.FIFOQueue(10, [tf.int32, tf.float32], shapes=[[], [2]])
    e = q.enqueue([1, [1.0, 2.0]])
    dm = q.dequeue_many(2)
    du = q.dequeue_up_to(3)
    assert q.name == "fifo_queue" and q.queue_ref.op.type == "FIFOQueueV2"
    assert q.queue_ref.dtype == tf.resource
    assert e.name == "fifo_queue_enqueue" and e.type == "QueueEnqueueV2"
    assert [t.name for t in dm] == ["fifo_queue_DequeueMany:0", "fifo_queue_DequeueMany:1"]
    assert dm[0].shape.as_list() == [2] and dm[1].shape.as_list() == [2, 2]
    assert du[1].shape.as_list() == [None, 2]
    assert q.size().op.name == "fifo_queue_Size"
    assert q.close().name == "fifo_queue_Close"
    assert q.is_closed().op.name == "fifo_queue_Is_Closed"
    rq = dfo.RandomShuffleQueue(20, 5, tf.int32, shapes=[], seed=3)
    assert rq.queue_ref.op.type == "RandomShuffleQueueV2"
    assert rq.queue_ref.op.get_attr("min_after_dequeue") == 5
    pq = dfo.PriorityQueue(10, [tf.string], shapes=[[]])
    assert pq.dtypes == [tf.int64, tf.string]
    with pytest.raises(ValueError):
        q.enqueue([[1, 2], [1.0, 2.0]])


def test_fifo_semantics_close_and_out_of_range():
    q = dfo.FIFOQueue(5, [tf.int32], shapes=[[]])
    em = q.enqueue_many([[1, 2, 3]])
    d = q.dequeue()
    dm = q.dequeue_many(2)
    du = q.dequeue_up_to(5)
    close = q.close()
    with tf.Session() as sess:
        sess.run(em)
        assert sess.run(q.size()) == 3
        assert sess.run(d) == 1
        sess.run(close)
        assert sess.run(q.is_closed())
        with pytest.raises(errors.CancelledError):
            sess.run(q.enqueue(4))
        # dequeue_many(2) of the 2 remaining succeeds; up_to returns fewer after close.
        np.testing.assert_array_equal(sess.run(dm), [2, 3])
        with pytest.raises(errors.OutOfRangeError):
            sess.run(du)
    with tf.Session() as sess:
        sess.run(em)
        sess.run(close)
        np.testing.assert_array_equal(sess.run(du), [1, 2, 3])


def test_dequeue_many_restores_elements_on_close():
    q = dfo.FIFOQueue(10, [tf.int32], shapes=[[]])
    with tf.Session() as sess:
        sess.run(q.enqueue_many([[1, 2]]))
        sess.run(q.close())
        with pytest.raises(errors.OutOfRangeError):
            sess.run(q.dequeue_many(3))
        assert sess.run(q.size()) == 2


def test_timeout_raises_deadline_exceeded():
    q = dfo.FIFOQueue(1, [tf.int32], shapes=[[]])
    d = q.dequeue()
    with tf.Session() as sess:
        t0 = time.time()
        with pytest.raises(errors.DeadlineExceededError):
            sess.run(d, options=_opts(200))
        assert time.time() - t0 < 3
        sess.run(q.enqueue(1))
        with pytest.raises(errors.DeadlineExceededError):
            sess.run(q.enqueue(2), options=_opts(100))


def test_padding_and_priority_and_shuffle():
    pq = dfo.PaddingFIFOQueue(5, [tf.int32], shapes=[[None]])
    x = tf.placeholder(tf.int32, [None])
    with tf.Session() as sess:
        sess.run(pq.enqueue([x]), {x: [1, 2, 3]})
        sess.run(pq.enqueue([x]), {x: [4]})
        np.testing.assert_array_equal(sess.run(pq.dequeue_many(2)), [[1, 2, 3], [4, 0, 0]])
    prio = dfo.PriorityQueue(5, [tf.string], shapes=[[]])
    p = tf.placeholder(tf.int64, [])
    s = tf.placeholder(tf.string, [])
    enq = prio.enqueue((p, s))
    dq = prio.dequeue_many(3)
    with tf.Session() as sess:
        for pr, v in ((5, b"e"), (1, b"a"), (3, b"c")):
            sess.run(enq, {p: pr, s: v})
        pr, vals = sess.run(dq)
        np.testing.assert_array_equal(pr, [1, 3, 5])
        assert list(vals) == [b"a", b"c", b"e"]
    rq = dfo.RandomShuffleQueue(100, 10, [tf.int32], shapes=[[]], seed=7)
    with tf.Session() as sess:
        sess.run(rq.enqueue_many([np.arange(50, dtype=np.int32)]))
        sess.run(rq.close())
        got = sess.run(rq.dequeue_up_to(100))
    assert sorted(got.tolist()) == list(range(50)) and got.tolist() != list(range(50))


def test_two_sessions_have_independent_queues():
    q = dfo.FIFOQueue(5, [tf.int32], shapes=[[]])
    enq = q.enqueue(7)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(enq)
    assert s1.run(q.size()) == 1 and s2.run(q.size()) == 0
    s1.close()
    s2.close()


# ----------------------------------------------------------- coordinator
def test_coordinator_exception_propagation_and_grace():
    coord = coord_lib.Coordinator()

    def worker():
        with coord.stop_on_exception():
            raise ValueError("boom")

    t = threading.Thread(target=worker)
    coord.register_thread(t)
    t.start()
    with pytest.raises(ValueError, match="boom"):
        coord.join(stop_grace_period_secs=5)
    coord.clear_stop()
    assert not coord.should_stop()
    # Clean-stop exceptions are not re-raised.
    coord.request_stop(errors.OutOfRangeError(None, None, "done"))
    coord.join([])
    # A thread that ignores the stop makes join raise after the grace period.
    coord2 = coord_lib.Coordinator()
    ev = threading.Event()
    straggler = threading.Thread(target=ev.wait, args=(10,), name="straggler")
    straggler.start()
    coord2.request_stop()
    with pytest.raises(RuntimeError, match="straggler"):
        coord2.join([straggler], stop_grace_period_secs=0.1)
    ev.set()
    straggler.join()


def test_queue_runner_reports_enqueue_failure_to_coordinator():
    q = dfo.FIFOQueue(5, [tf.float32], shapes=[[]])
    x = tf.placeholder_with_default(np.float32(1), []) if hasattr(
        tf, "placeholder_with_default") else tf.constant(1.0)
    bad = tf.debugging.check_numerics(x / 0.0 * 0.0, "bad") if hasattr(
        tf, "debugging") else tf.check_numerics(x / 0.0 * 0.0, "bad")
    qr = qr_lib.QueueRunner(q, [q.enqueue(bad)])
    with tf.Session() as sess:
        coord = coord_lib.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        with pytest.raises(errors.InvalidArgumentError):
            coord.join(threads, stop_grace_period_secs=5)


# ------------------------------------------------------------- batching
def test_batch_and_shuffle_batch_deliver_everything_once():
    data = np.arange(60, dtype=np.int32)
    xs = inp.slice_input_producer([tf.constant(data)], num_epochs=1, shuffle=False)
    b = inp.batch(xs, 7, num_threads=3, capacity=20, allow_smaller_final_batch=True)
    sb = inp.shuffle_batch({"v": tf.constant(data)}, 6, capacity=30, min_after_dequeue=10,
                           enqueue_many=True, num_threads=2, seed=1)
    assert b[0].op.name == "batch" and b[0].shape.as_list() == [None]
    assert sb["v"].op.name == "shuffle_batch" and sb["v"].shape.as_list() == [6]
    init = [tf.global_variables_initializer(), tf.local_variables_initializer()]
    with tf.Session() as sess:
        sess.run(init)
        coord = coord_lib.Coordinator()
        threads = qr_lib.start_queue_runners(sess, coord)
        got = []
        try:
            while True:
                got.extend(sess.run(b, options=_opts())[0].tolist())
        except errors.OutOfRangeError:
            pass
        assert sorted(got) == data.tolist()
        sh = sess.run(sb, options=_opts())["v"]
        assert len(set(sh.tolist())) == 6
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)


def test_string_input_producer_epochs_and_names():
    fq = inp.string_input_producer(["a", "b", "c"], num_epochs=2, shuffle=False)
    assert fq.name == "input_producer"
    d = fq.dequeue()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = coord_lib.Coordinator()
        threads = qr_lib.start_queue_runners(sess, coord)
        got = []
        try:
            while True:
                got.append(sess.run(d, options=_opts()))
        except errors.OutOfRangeError:
            pass
        assert got == [b"a", b"b", b"c"] * 2
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)


def test_batch_join_and_range_producer():
    r = inp.range_input_producer(10, num_epochs=1, shuffle=False)
    v = r.dequeue()
    bj = inp.batch_join([[v], [v * 100]], 5, allow_smaller_final_batch=True)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = coord_lib.Coordinator()
        threads = qr_lib.start_queue_runners(sess, coord)
        got = []
        try:
            while True:
                got.extend(sess.run(bj, options=_opts())[0].tolist())
        except errors.OutOfRangeError:
            pass
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    small = sorted(x for x in got if x < 10)
    big = sorted(x // 100 for x in got if x >= 100 or x == 0)
    assert len(got) == 10 and set(small) | set(big) == set(range(10))


# ---------------------------------------------------------------- stress
def test_stress_8_producers_slow_consumer_close_mid_stream():
    n_prod, per = 8, 60
    q = dfo.FIFOQueue(16, [tf.int32], shapes=[[]])
    x = tf.placeholder(tf.int32, [])
    enq = q.enqueue(x)
    deq = q.dequeue_up_to(4)
    close = q.close()
    sess = tf.Session()
    produced = []
    lock = threading.Lock()

    def producer(k):
        for i in range(per):
            v = k * 1000 + i
            try:
                sess.run(enq, {x: v}, options=_opts(10000))
            except errors.CancelledError:
                return
            with lock:
                produced.append(v)

    threads = [threading.Thread(target=producer, args=(k,)) for k in range(n_prod)]
    for t in threads:
        t.start()
    got = []
    for _ in range(30):  # a slow consumer
        got.extend(sess.run(deq, options=_opts(10000)).tolist())
        time.sleep(0.002)
    sess.run(close)  # mid-stream: producers blocked on a full queue are released
    for t in threads:
        t.join(10)
        assert not t.is_alive()
    try:
        while True:
            got.extend(sess.run(deq, options=_opts(10000)).tolist())
    except errors.OutOfRangeError:
        pass
    sess.close()
    assert len(got) == len(set(got)), "duplicated elements"
    assert sorted(got) == sorted(produced), "lost elements"
    assert len(produced) < n_prod * per


def test_stress_session_close_while_threads_block():
    q = dfo.FIFOQueue(2, [tf.int32], shapes=[[]])
    enq = q.enqueue(1)
    q2 = dfo.FIFOQueue(2, [tf.int32], shapes=[[]])
    deq = q2.dequeue()
    sess = tf.Session()
    outcomes = []

    def run(op):
        try:
            while True:
                sess.run(op)
        except (errors.CancelledError, RuntimeError) as e:
            outcomes.append(type(e).__name__)

    threads = [threading.Thread(target=run, args=(enq,)) for _ in range(4)]
    threads += [threading.Thread(target=run, args=(deq,)) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    sess.close()
    for t in threads:
        t.join(5)
        assert not t.is_alive()
    assert len(outcomes) == 8 and "CancelledError" in outcomes


def test_stress_queue_runners_with_coordinator_all_joined():
    data = np.arange(400, dtype=np.int32)
    ds_x = tf.constant(data)
    q = dfo.FIFOQueue(32, [tf.int32], shapes=[[]])
    producer_q = dfo.FIFOQueue(500, [tf.int32], shapes=[[]])
    fill = producer_q.enqueue_many([ds_x])
    close_p = producer_q.close()
    qr = qr_lib.QueueRunner(q, [q.enqueue(producer_q.dequeue())] * 8)
    deq = q.dequeue_up_to(5)
    with tf.Session() as sess:
        sess.run(fill)
        sess.run(close_p)
        coord = coord_lib.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        got = []
        try:
            while True:
                got.extend(sess.run(deq, options=_opts(10000)).tolist())
                time.sleep(0.0005)
        except errors.OutOfRangeError:
            pass
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
        assert all(not t.is_alive() for t in threads)
    assert sorted(got) == data.tolist()
