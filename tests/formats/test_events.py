import glob
import os
import re
import socket
import threading
import time

import pytest
from tensorboard.compat.proto import event_pb2, summary_pb2

from tensorweave.formats import events as ev
from tensorweave.formats import tfrecord
from tensorweave.framework import errors


def _scalar(step, value):
    return event_pb2.Event(wall_time=time.time(), step=step, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag="loss", simple_value=value)]))


def test_reads_tf_event_file(tf_fixtures, load_expected):
    exp = load_expected("events")
    events = list(ev.summary_iterator(os.path.join(tf_fixtures, "events", exp["file"])))
    assert events[0].file_version == "brain.Event:2"
    assert any(e.HasField("graph_def") for e in events)
    scalars = [(e.step, v.simple_value) for e in events for v in e.summary.value
               if v.tag == "loss"]
    assert scalars == [(s, pytest.approx(x)) for s, x in zip(exp["steps"], exp["loss"])]
    histos = [v.histo for e in events for v in e.summary.value if v.HasField("histo")]
    assert [h.num for h in histos] == [exp["histogram_num"]] * 3
    assert [h.sum for h in histos] == pytest.approx(exp["histogram_sum"])


def test_write_and_read(tmp_path):
    w = ev.EventFileWriter(str(tmp_path), filename_suffix=".test")
    assert w.get_logdir() == str(tmp_path)
    name = os.path.basename(w.path)
    assert re.fullmatch(r"events\.out\.tfevents\.\d{10}\.%s\.test" % re.escape(
        socket.gethostname()), name)
    for i in range(25):  # more than max_queue
        w.add_event(_scalar(i, i * 0.5))
    w.close()
    events = list(ev.summary_iterator(w.path))
    assert events[0].file_version == "brain.Event:2" and events[0].wall_time > 0
    assert [e.step for e in events[1:]] == list(range(25))
    assert events[3].summary.value[0].simple_value == 1.0


def test_version_record_is_on_disk_at_once(tmp_path):
    w = ev.EventFileWriter(str(tmp_path))
    assert [e.file_version for e in ev.summary_iterator(w.path)] == ["brain.Event:2"]
    w.close()


def test_flush_and_periodic_flush(tmp_path):
    w = ev.EventFileWriter(str(tmp_path), flush_secs=0.05)
    w.add_event(_scalar(1, 1.0))
    deadline = time.time() + 5
    while len(list(ev.summary_iterator(w.path))) < 2 and time.time() < deadline:
        time.sleep(0.02)
    assert len(list(ev.summary_iterator(w.path))) == 2  # written without flush()
    w.add_event(_scalar(2, 2.0))
    w.flush()
    assert len(list(ev.summary_iterator(w.path))) == 3
    w.close()


def test_close_reopen(tmp_path):
    w = ev.EventFileWriter(str(tmp_path))
    w.add_event(_scalar(1, 1.0))
    w.close()
    w.close()  # idempotent
    w.add_event(_scalar(2, 2.0))  # ignored after close, as in TF
    w.flush()
    first = w.path
    w.reopen()
    w.add_event(_scalar(3, 3.0))
    w.close()
    steps = []
    for p in sorted(set([first, w.path])):
        steps += [e.step for e in ev.summary_iterator(p) if e.HasField("summary")]
    assert sorted(steps) == [1, 3]


def test_truncated_tail_stops_cleanly(tmp_path):
    w = ev.EventFileWriter(str(tmp_path))
    for i in range(3):
        w.add_event(_scalar(i, 0.0))
    w.close()
    data = open(w.path, "rb").read()
    open(w.path, "wb").write(data[:-7])  # as if the process died mid-record
    assert [e.step for e in ev.summary_iterator(w.path)][1:] == [0, 1]
    with pytest.raises(errors.DataLossError):
        list(tfrecord.tf_record_iterator(w.path))


def test_corrupted_record_raises(tmp_path):
    w = ev.EventFileWriter(str(tmp_path))
    w.add_event(_scalar(1, 0.0))
    w.close()
    data = bytearray(open(w.path, "rb").read())
    data[-6] ^= 0xFF
    open(w.path, "wb").write(bytes(data))
    with pytest.raises(errors.DataLossError):
        list(ev.summary_iterator(w.path))


def test_logdir_that_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(errors.FailedPreconditionError, match="file"):
        ev.EventFileWriter(str(f / "logs"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_logdir(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(errors.PermissionDeniedError, match="ro"):
            ev.EventFileWriter(str(d / "logs"))
    finally:
        d.chmod(0o700)


def test_background_error_is_reraised(tmp_path):
    w = ev.EventFileWriter(str(tmp_path))

    class Broken:
        def SerializeToString(self):
            raise ValueError("cannot serialize")

    w.add_event(Broken())
    with pytest.raises(ValueError, match="cannot serialize"):
        w.flush()
    w.add_event(_scalar(5, 1.0))  # the writer keeps working after reporting
    w.close()
    assert [e.step for e in ev.summary_iterator(w.path)][-1] == 5


def test_disk_error_becomes_tf_error(tmp_path):
    w = ev.EventFileWriter(str(tmp_path))

    class FullDisk:
        def write(self, data):
            raise OSError(28, "No space left on device")

        def flush(self):
            pass

        def close(self):
            pass

    w._file = FullDisk()
    w.add_event(_scalar(1, 1.0))
    with pytest.raises(errors.OpError, match="No space"):
        w.flush()
    w.close()


def test_writer_thread_is_daemon(tmp_path):
    w = ev.EventFileWriter(str(tmp_path))
    assert any(t.daemon and t.name == "EventFileWriter" for t in threading.enumerate())
    w.close()
    assert glob.glob(str(tmp_path / "events.out.tfevents.*"))
