"""The `tensorflow.compat` module for scripts run through the legacy runner."""
import tensorweave as _tw

v1 = _tw
v2 = _tw
as_bytes = _tw.compat.as_bytes
as_text = _tw.compat.as_text
as_str = _tw.compat.as_str
as_str_any = _tw.compat.as_str_any
