"""The devices a local session has (one CPU), as Session.list_devices reports them."""
import collections

from tensorweave.runtime.executor import LOCAL_CPU

_DeviceAttributes = collections.namedtuple(
    "_DeviceAttributes", ["name", "device_type", "memory_limit_bytes", "incarnation"])


def list_session_devices():
    return [_DeviceAttributes(LOCAL_CPU, "CPU", 268435456, 0)]


def list_local_devices():
    return list_session_devices()
