"""CRC-32C (Castagnoli) and TF's masked form, as used by TFRecords, tables and bundles.

TF stores masked CRCs because a CRC computed over data that itself contains embedded CRCs is
weak; masking (rotate + add a constant) avoids that. Mask/unmask are fixed by the file formats.
"""
import google_crc32c

_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF


# NOTE: google_crc32c's C extension accepts only `bytes` (its argument format rejects
# memoryviews), so large buffers are fed in chunks copied to bytes; a 4 MiB copy stays in
# cache and costs far less than the CRC itself, which keeps checksumming near memory speed.
_CHUNK = 1 << 22


def extend(crc, data):
    """Extends a running (unmasked) CRC-32C with the bytes of any buffer (bytes, memoryview,
    contiguous ndarray)."""
    if isinstance(data, bytes):
        return google_crc32c.extend(crc, data)
    view = memoryview(data)
    if view.ndim != 1 or view.itemsize != 1:
        view = view.cast("B")
    n = len(view)
    for start in range(0, n, _CHUNK):
        crc = google_crc32c.extend(crc, view[start:start + _CHUNK].tobytes())
    return crc


def crc32c(data, crc=0):
    """Returns the CRC-32C of `data` (any contiguous buffer), continuing from `crc` if given."""
    return extend(crc, data)


def mask(crc):
    """Masks a CRC-32C value the way TF stores it on disk."""
    crc &= _U32
    return ((((crc >> 15) | (crc << 17)) & _U32) + _MASK_DELTA) & _U32


def unmask(masked):
    """Inverts `mask`."""
    rot = (masked - _MASK_DELTA) & _U32
    return ((rot >> 17) | (rot << 15)) & _U32


def masked_crc32c(data):
    """Returns mask(crc32c(data)), the value TF writes next to records and blocks."""
    return mask(extend(0, data))
