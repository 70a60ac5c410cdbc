/* Shared helpers for tensorweave's optional C kernels.
 *
 * Every kernel module is a plain CPython extension that takes buffers (anything with the
 * buffer protocol: NumPy arrays, bytes, memoryviews), checks their sizes, and runs with the
 * GIL released.  Kernels are single-threaded over a range of work items; the Python side
 * splits work over the intra-op threads, so results never depend on the thread count.
 * NumPy headers are not needed to build (no build-time dependency on NumPy).
 */
#ifndef TW_NATIVE_H
#define TW_NATIVE_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Checks that a Py_buffer holds at least `n` bytes; sets ValueError naming `what` if not. */
static inline int tw_check_bytes(const Py_buffer *b, Py_ssize_t n, const char *what) {
    if (b->len < n) {
        PyErr_Format(PyExc_ValueError, "%s: buffer has %zd bytes, needs %zd", what, b->len, n);
        return 0;
    }
    return 1;
}

/* Checks that a writable Py_buffer is C-contiguous. */
static inline int tw_check_contig(const Py_buffer *b, const char *what) {
    if (!PyBuffer_IsContiguous(b, 'C')) {
        PyErr_Format(PyExc_ValueError, "%s: buffer must be C-contiguous", what);
        return 0;
    }
    return 1;
}

#endif
