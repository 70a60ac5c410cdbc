"""Device strings as TF parses them: '/job:w/replica:0/task:1/device:GPU:0', '/gpu:0', 'cpu:0'."""
import re

_SPLIT = re.compile(r"/+")


class DeviceSpec:
    """A (partial) device specification; fields left None are unconstrained."""

    __slots__ = ("job", "replica", "task", "device_type", "device_index")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job = job
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        self.device_type = device_type.upper() if device_type and device_type != "*" else (
            device_type or None)
        self.device_index = None if device_index in (None, "*") else int(device_index)

    @classmethod
    def from_string(cls, spec):
        spec = spec or ""
        d = cls()
        for part in _SPLIT.split(spec.strip()):
            if not part:
                continue
            fields = part.split(":")
            key = fields[0].lower()
            if key == "job" and len(fields) == 2:
                d.job = fields[1]
            elif key == "replica" and len(fields) == 2:
                d.replica = int(fields[1])
            elif key == "task" and len(fields) == 2:
                d.task = int(fields[1])
            elif key == "device" and len(fields) >= 2:
                d.device_type = fields[1].upper() if fields[1] != "*" else None
                if len(fields) == 3 and fields[2] != "*":
                    d.device_index = int(fields[2])
            elif len(fields) in (1, 2) and key in ("cpu", "gpu", "tpu", "xla_cpu", "xla_gpu"):
                d.device_type = key.upper()
                if len(fields) == 2 and fields[1] != "*":
                    d.device_index = int(fields[1])
            else:
                raise ValueError("Unknown attribute: '%s' in '%s'" % (part, spec))
        return d

    def merge_from(self, other):
        """Fields set in `other` override ours (TF's nested tf.device semantics)."""
        for f in self.__slots__:
            v = getattr(other, f)
            if v is not None:
                setattr(self, f, v)
        return self

    def copy(self):
        return DeviceSpec(self.job, self.replica, self.task, self.device_type, self.device_index)

    def to_string(self):
        out = []
        if self.job is not None:
            out.append("/job:" + self.job)
        if self.replica is not None:
            out.append("/replica:%d" % self.replica)
        if self.task is not None:
            out.append("/task:%d" % self.task)
        if self.device_type is not None:
            out.append("/device:%s:%s" % (
                self.device_type, "*" if self.device_index is None else self.device_index))
        return "".join(out)

    def __repr__(self):
        return "DeviceSpec(%r)" % self.to_string()

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())


def canonical_name(spec):
    """Normalises a device string or DeviceSpec, e.g. '/gpu:0' -> '/device:GPU:0'."""
    if spec is None:
        return ""
    if isinstance(spec, DeviceSpec):
        return spec.to_string()
    return DeviceSpec.from_string(spec).to_string()


def merge_device(outer, inner):
    """The device of a nested `tf.device(inner)` inside `tf.device(outer)`."""
    if not outer:
        return canonical_name(inner)
    if not inner:
        return canonical_name(outer)
    return DeviceSpec.from_string(outer).merge_from(DeviceSpec.from_string(inner)).to_string()
