/* A tiny module the test suite and `tensorweave.native.status()` use to tell whether the C
 * kernels were built, and with which instruction set. */
#include "tw_native.h"

static PyObject *isa(PyObject *self, PyObject *noargs) {
#if defined(__AVX512F__)
    return PyUnicode_FromString("avx512f");
#elif defined(__AVX2__)
    return PyUnicode_FromString("avx2");
#else
    return PyUnicode_FromString("generic");
#endif
}

static PyMethodDef methods[] = {
    {"isa", isa, METH_NOARGS, "The vector instruction set the kernels were compiled for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_probe", NULL, -1, methods};

PyMODINIT_FUNC PyInit__probe(void) { return PyModule_Create(&module); }
