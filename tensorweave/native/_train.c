/* Dense optimizer updates (ApplyGradientDescent, ApplyMomentum, ApplyAdam, ApplyAdagrad,
 * ApplyRMSProp) in one pass over the variable and its slots, in place.
 *
 * Each element goes through exactly the operations of the NumPy formulas in
 * tensorweave/training/training_ops.py, in the same order and at the variable's precision
 * (no fused multiply-add: setup.py compiles with -std=c11, which turns FP contraction off in
 * GCC, and the tests compare bitwise with the NumPy path).  Scalars arrive as Python floats
 * holding values already rounded to the variable's dtype.  The loops are plain C the compiler
 * vectorizes (AVX-512 with -march=native); every operation is IEEE-exact element-wise
 * (+ - * / sqrt), so the vector and scalar code give the same bits and NaN/Inf propagate as in
 * NumPy.  Buffers may be the same array (element i only reads and writes index i), but must
 * not partially overlap: the Python side checks that.
 */
#include "tw_native.h"
#include <math.h>

typedef struct {
    Py_buffer b[4];
    int n;
} bufset;

static void release(bufset *s) {
    for (int i = 0; i < s->n; i++) PyBuffer_Release(&s->b[i]);
    s->n = 0;
}

/* Checks `count` buffers hold n elements of `itemsize` bytes and are C-contiguous; n from
 * the first one.  Returns n, or -1 with an exception set. */
static Py_ssize_t check(bufset *s, int is64, const char *const *names) {
    Py_ssize_t item = is64 ? 8 : 4;
    if (s->b[0].len % item) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes is not a whole number of %zd-byte items",
                     names[0], s->b[0].len, item);
        return -1;
    }
    Py_ssize_t n = s->b[0].len / item;
    for (int i = 0; i < s->n; i++) {
        if (!tw_check_contig(&s->b[i], names[i])) return -1;
        if (s->b[i].len != n * item) {
            PyErr_Format(PyExc_ValueError, "%s: buffer has %zd bytes, expected %zd", names[i],
                         s->b[i].len, n * item);
            return -1;
        }
    }
    return n;
}

/* ------------------------------------------------------------------ kernels */
#define DEF_GD(T, SUF)                                                              \
    static void gd_##SUF(T *v, const T *d, T a, Py_ssize_t n) {                     \
        for (Py_ssize_t i = 0; i < n; i++) {                                        \
            T t = a * d[i];                                                         \
            v[i] = v[i] - t;                                                        \
        }                                                                           \
    }
DEF_GD(float, f)
DEF_GD(double, d)

/* accum = accum*m + g; var -= lr*accum  |  nesterov: var -= g*lr + accum*(m*lr) */
#define DEF_MOM(T, SUF)                                                             \
    static void mom_##SUF(T *v, T *acc, const T *g, T lr, T m, T mlr, int nest,     \
                          Py_ssize_t n) {                                           \
        if (nest) {                                                                 \
            for (Py_ssize_t i = 0; i < n; i++) {                                    \
                T a = acc[i] * m;                                                   \
                a = a + g[i];                                                       \
                acc[i] = a;                                                         \
                T t1 = g[i] * lr;                                                   \
                T t2 = a * mlr;                                                     \
                T t = t1 + t2;                                                      \
                v[i] = v[i] - t;                                                    \
            }                                                                       \
        } else {                                                                    \
            for (Py_ssize_t i = 0; i < n; i++) {                                    \
                T a = acc[i] * m;                                                   \
                a = a + g[i];                                                       \
                acc[i] = a;                                                         \
                T t = lr * a;                                                       \
                v[i] = v[i] - t;                                                    \
            }                                                                       \
        }                                                                           \
    }
DEF_MOM(float, f)
DEF_MOM(double, d)

/* m += (g - m)*(1-b1); v += (g*g - v)*(1-b2);
 * var -= lr_t*m / (sqrt(v) + eps)  |  nesterov: lr_t*(m*b1 + (1-b1)*g) / (sqrt(v) + eps) */
#define DEF_ADAM(T, SUF, SQRT)                                                      \
    static void adam_##SUF(T *var, T *m, T *v, const T *g, T lr_t, T b1, T omb1,    \
                           T omb2, T eps, int nest, Py_ssize_t n) {                 \
        for (Py_ssize_t i = 0; i < n; i++) {                                        \
            T gi = g[i];                                                            \
            T mi = m[i];                                                            \
            T dm = gi - mi;                                                         \
            dm = dm * omb1;                                                         \
            mi = mi + dm;                                                           \
            m[i] = mi;                                                              \
            T vi = v[i];                                                            \
            T g2 = gi * gi;                                                         \
            T dv = g2 - vi;                                                         \
            dv = dv * omb2;                                                         \
            vi = vi + dv;                                                           \
            v[i] = vi;                                                              \
            T num;                                                                  \
            if (nest) {                                                             \
                T a = mi * b1;                                                      \
                T b = omb1 * gi;                                                    \
                num = a + b;                                                        \
                num = lr_t * num;                                                   \
            } else {                                                                \
                num = lr_t * mi;                                                    \
            }                                                                       \
            T den = SQRT(vi);                                                       \
            den = den + eps;                                                        \
            T u = num / den;                                                        \
            var[i] = var[i] - u;                                                    \
        }                                                                           \
    }
DEF_ADAM(float, f, sqrtf)
DEF_ADAM(double, d, sqrt)

/* accum += g*g (when update_slots); var -= lr*g / sqrt(accum) */
#define DEF_ADAGRAD(T, SUF, SQRT)                                                   \
    static void adagrad_##SUF(T *var, T *acc, const T *g, T lr, int upd,            \
                              Py_ssize_t n) {                                       \
        for (Py_ssize_t i = 0; i < n; i++) {                                        \
            T gi = g[i];                                                            \
            T a = acc[i];                                                           \
            if (upd) {                                                              \
                T g2 = gi * gi;                                                     \
                a = a + g2;                                                         \
                acc[i] = a;                                                         \
            }                                                                       \
            T t = lr * gi;                                                          \
            t = t / SQRT(a);                                                        \
            var[i] = var[i] - t;                                                    \
        }                                                                           \
    }
DEF_ADAGRAD(float, f, sqrtf)
DEF_ADAGRAD(double, d, sqrt)

/* ms = ms*r + ((1-r)*g)*g; mom = mom*momentum + (lr*g)/sqrt(ms + eps); var -= mom */
#define DEF_RMS(T, SUF, SQRT)                                                       \
    static void rms_##SUF(T *var, T *ms, T *mom, const T *g, T lr, T r, T omr,      \
                          T mo, T eps, Py_ssize_t n) {                              \
        for (Py_ssize_t i = 0; i < n; i++) {                                        \
            T gi = g[i];                                                            \
            T s = ms[i] * r;                                                        \
            T t = omr * gi;                                                         \
            t = t * gi;                                                             \
            s = s + t;                                                              \
            ms[i] = s;                                                              \
            T mm = mom[i] * mo;                                                     \
            T u = lr * gi;                                                          \
            T den = s + eps;                                                        \
            den = SQRT(den);                                                        \
            u = u / den;                                                            \
            mm = mm + u;                                                            \
            mom[i] = mm;                                                            \
            var[i] = var[i] - mm;                                                   \
        }                                                                           \
    }
DEF_RMS(float, f, sqrtf)
DEF_RMS(double, d, sqrt)

/* ------------------------------------------------------------------ wrappers */
static PyObject *py_gd(PyObject *self, PyObject *args) {
    bufset s = {.n = 0};
    double a;
    int is64;
    if (!PyArg_ParseTuple(args, "w*y*dp", &s.b[0], &s.b[1], &a, &is64)) return NULL;
    s.n = 2;
    static const char *const names[] = {"var", "delta"};
    Py_ssize_t n = check(&s, is64, names);
    if (n < 0) { release(&s); return NULL; }
    Py_BEGIN_ALLOW_THREADS
    if (is64) gd_d((double *)s.b[0].buf, (const double *)s.b[1].buf, a, n);
    else gd_f((float *)s.b[0].buf, (const float *)s.b[1].buf, (float)a, n);
    Py_END_ALLOW_THREADS
    release(&s);
    Py_RETURN_NONE;
}

static PyObject *py_momentum(PyObject *self, PyObject *args) {
    bufset s = {.n = 0};
    double lr, m, mlr;
    int nest, is64;
    if (!PyArg_ParseTuple(args, "w*w*y*dddpp", &s.b[0], &s.b[1], &s.b[2], &lr, &m, &mlr,
                          &nest, &is64))
        return NULL;
    s.n = 3;
    static const char *const names[] = {"var", "accum", "grad"};
    Py_ssize_t n = check(&s, is64, names);
    if (n < 0) { release(&s); return NULL; }
    Py_BEGIN_ALLOW_THREADS
    if (is64)
        mom_d((double *)s.b[0].buf, (double *)s.b[1].buf, (const double *)s.b[2].buf, lr, m,
              mlr, nest, n);
    else
        mom_f((float *)s.b[0].buf, (float *)s.b[1].buf, (const float *)s.b[2].buf, (float)lr,
              (float)m, (float)mlr, nest, n);
    Py_END_ALLOW_THREADS
    release(&s);
    Py_RETURN_NONE;
}

static PyObject *py_adam(PyObject *self, PyObject *args) {
    bufset s = {.n = 0};
    double lr_t, b1, omb1, omb2, eps;
    int nest, is64;
    if (!PyArg_ParseTuple(args, "w*w*w*y*dddddpp", &s.b[0], &s.b[1], &s.b[2], &s.b[3], &lr_t,
                          &b1, &omb1, &omb2, &eps, &nest, &is64))
        return NULL;
    s.n = 4;
    static const char *const names[] = {"var", "m", "v", "grad"};
    Py_ssize_t n = check(&s, is64, names);
    if (n < 0) { release(&s); return NULL; }
    Py_BEGIN_ALLOW_THREADS
    if (is64)
        adam_d((double *)s.b[0].buf, (double *)s.b[1].buf, (double *)s.b[2].buf,
               (const double *)s.b[3].buf, lr_t, b1, omb1, omb2, eps, nest, n);
    else
        adam_f((float *)s.b[0].buf, (float *)s.b[1].buf, (float *)s.b[2].buf,
               (const float *)s.b[3].buf, (float)lr_t, (float)b1, (float)omb1, (float)omb2,
               (float)eps, nest, n);
    Py_END_ALLOW_THREADS
    release(&s);
    Py_RETURN_NONE;
}

static PyObject *py_adagrad(PyObject *self, PyObject *args) {
    bufset s = {.n = 0};
    double lr;
    int upd, is64;
    if (!PyArg_ParseTuple(args, "w*w*y*dpp", &s.b[0], &s.b[1], &s.b[2], &lr, &upd, &is64))
        return NULL;
    s.n = 3;
    static const char *const names[] = {"var", "accum", "grad"};
    Py_ssize_t n = check(&s, is64, names);
    if (n < 0) { release(&s); return NULL; }
    Py_BEGIN_ALLOW_THREADS
    if (is64)
        adagrad_d((double *)s.b[0].buf, (double *)s.b[1].buf, (const double *)s.b[2].buf, lr,
                  upd, n);
    else
        adagrad_f((float *)s.b[0].buf, (float *)s.b[1].buf, (const float *)s.b[2].buf,
                  (float)lr, upd, n);
    Py_END_ALLOW_THREADS
    release(&s);
    Py_RETURN_NONE;
}

static PyObject *py_rmsprop(PyObject *self, PyObject *args) {
    bufset s = {.n = 0};
    double lr, r, omr, mo, eps;
    int is64;
    if (!PyArg_ParseTuple(args, "w*w*w*y*dddddp", &s.b[0], &s.b[1], &s.b[2], &s.b[3], &lr,
                          &r, &omr, &mo, &eps, &is64))
        return NULL;
    s.n = 4;
    static const char *const names[] = {"var", "ms", "mom", "grad"};
    Py_ssize_t n = check(&s, is64, names);
    if (n < 0) { release(&s); return NULL; }
    Py_BEGIN_ALLOW_THREADS
    if (is64)
        rms_d((double *)s.b[0].buf, (double *)s.b[1].buf, (double *)s.b[2].buf,
              (const double *)s.b[3].buf, lr, r, omr, mo, eps, n);
    else
        rms_f((float *)s.b[0].buf, (float *)s.b[1].buf, (float *)s.b[2].buf,
              (const float *)s.b[3].buf, (float)lr, (float)r, (float)omr, (float)mo,
              (float)eps, n);
    Py_END_ALLOW_THREADS
    release(&s);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"gd", py_gd, METH_VARARGS, "gd(var, delta, alpha, is64): var -= alpha*delta"},
    {"momentum", py_momentum, METH_VARARGS,
     "momentum(var, accum, grad, lr, m, m_times_lr, nesterov, is64)"},
    {"adam", py_adam, METH_VARARGS,
     "adam(var, m, v, grad, lr_t, beta1, 1-beta1, 1-beta2, eps, nesterov, is64)"},
    {"adagrad", py_adagrad, METH_VARARGS, "adagrad(var, accum, grad, lr, update_slots, is64)"},
    {"rmsprop", py_rmsprop, METH_VARARGS,
     "rmsprop(var, ms, mom, grad, lr, rho, 1-rho, momentum, eps, is64)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_train", NULL, -1, methods};

PyMODINIT_FUNC PyInit__train(void) { return PyModule_Create(&module); }
