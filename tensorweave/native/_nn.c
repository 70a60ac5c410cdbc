/* Memory-bound NN passes around the convolutions: bias-add (+ReLU), ReLU, ReluGrad, column
 * sums (bias gradients), and 2-D max pooling over NHWC (forward, gradient, and the gradient
 * fused with the ReluGrad that follows it).
 *
 * dtype codes: 0 = float32 (AVX-512 when compiled for it), 1 = float64 (plain C).
 * Every kernel but col_sum gives the NumPy kernels' numbers bit for bit:
 *   relu(r)          = r > 0 or NaN ? r : +0        (np.maximum(r, 0))
 *   relu_grad(g, f)  = f > 0 ? g : g * 0            (np.multiply(g, f > 0))
 *   max pool         = NaN-propagating fold over the window in column-major tap order where
 *                      ties take the later element (np.maximum(acc, x), H reduced before W)
 *   max pool grad    = each window's dy goes to its first maximum in row-major scan order
 *                      (none when the window holds a NaN); the other covered elements get
 *                      dy * 0, summed in tap order where windows overlap (as the NumPy kernel)
 * col_sum accumulates in double, one sequential sum per column (so independent of the ISA).
 * Kernels are single-threaded; callers split the batch over threads.
 */
#include "tw_native.h"
#include <math.h>
#include <stdlib.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

enum { DT_F32 = 0, DT_F64 = 1 };

static int esize_of(int dt, Py_ssize_t *esz) {
    if (dt == DT_F32) {
        *esz = 4;
        return 1;
    }
    if (dt == DT_F64) {
        *esz = 8;
        return 1;
    }
    PyErr_Format(PyExc_ValueError, "dtype code must be 0 (float32) or 1 (float64), got %d", dt);
    return 0;
}

/* *r = a * b, with a clear error on a negative size or an overflow. */
static int mul_size(Py_ssize_t a, Py_ssize_t b, Py_ssize_t *r) {
    if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, r)) {
        PyErr_SetString(PyExc_ValueError, "sizes must be >= 0 and their product must fit");
        return 0;
    }
    return 1;
}

static int check_out(const Py_buffer *b, Py_ssize_t n, const char *what) {
    return tw_check_contig(b, what) && tw_check_bytes(b, n, what);
}

static int check_in(const Py_buffer *b, Py_ssize_t n, const char *what) {
    return tw_check_contig(b, what) && tw_check_bytes(b, n, what);
}

/* ------------------------------------------------------------------ scalar (any dtype) */

#define NP_RELU(r) (((r) > 0 || (r) != (r)) ? (r) : 0)
#define NP_MAX(m, x) ((((m) > (x)) || ((m) != (m))) ? (m) : (x))

#define DEFINE_SCALAR(T, S)                                                                   \
    static void bias_act_##S(const T *x, const T *b, T *out, Py_ssize_t rows, Py_ssize_t C,  \
                             int relu) {                                                      \
        for (Py_ssize_t r = 0; r < rows; r++) {                                               \
            const T *xr = x + r * C;                                                          \
            T *o = out + r * C;                                                               \
            for (Py_ssize_t c = 0; c < C; c++) {                                              \
                T v = xr[c] + b[c];                                                           \
                o[c] = relu ? NP_RELU(v) : v;                                                 \
            }                                                                                 \
        }                                                                                     \
    }                                                                                         \
    static void relu_##S(const T *x, T *out, Py_ssize_t n) {                                  \
        for (Py_ssize_t i = 0; i < n; i++) {                                                  \
            T v = x[i];                                                                       \
            out[i] = NP_RELU(v);                                                              \
        }                                                                                     \
    }                                                                                         \
    static void relu_grad_##S(const T *g, const T *f, T *out, Py_ssize_t n) {                 \
        for (Py_ssize_t i = 0; i < n; i++) {                                                  \
            T v = g[i];                                                                       \
            out[i] = f[i] > 0 ? v : v * (T)0;                                                 \
        }                                                                                     \
    }                                                                                         \
    /* acc[c] += x[r, c] for r = 0, 1, ... in order (one running double sum per column). */  \
    static void col_acc_##S(const T *x, double *acc, Py_ssize_t rows, Py_ssize_t C) {         \
        for (Py_ssize_t r = 0; r < rows; r++) {                                               \
            const T *p = x + r * C;                                                           \
            for (Py_ssize_t c = 0; c < C; c++) acc[c] += (double)p[c];                        \
        }                                                                                     \
    }                                                                                         \
    static void max_pool_##S(const T *x, T *out, const Py_ssize_t *g) {                       \
        Py_ssize_t N = g[0], H = g[1], W = g[2], C = g[3], kh = g[4], kw = g[5];              \
        Py_ssize_t sh = g[6], sw = g[7], pt = g[8], pl = g[9], OH = g[10], OW = g[11];        \
        for (Py_ssize_t n = 0; n < N; n++)                                                    \
            for (Py_ssize_t oh = 0; oh < OH; oh++) {                                          \
                Py_ssize_t h0 = oh * sh - pt, hs = h0 < 0 ? 0 : h0;                           \
                Py_ssize_t he = h0 + kh < H ? h0 + kh : H;                                    \
                for (Py_ssize_t ow = 0; ow < OW; ow++) {                                      \
                    Py_ssize_t w0 = ow * sw - pl, ws = w0 < 0 ? 0 : w0;                       \
                    Py_ssize_t we = w0 + kw < W ? w0 + kw : W;                                \
                    T *o = out + ((n * OH + oh) * OW + ow) * C;                               \
                    for (Py_ssize_t c = 0; c < C; c++) o[c] = (T)-INFINITY;                   \
                    for (Py_ssize_t w = ws; w < we; w++)                                      \
                        for (Py_ssize_t h = hs; h < he; h++) {                                \
                            const T *p = x + ((n * H + h) * W + w) * C;                       \
                            for (Py_ssize_t c = 0; c < C; c++) o[c] = NP_MAX(o[c], p[c]);     \
                        }                                                                     \
                }                                                                             \
            }                                                                                 \
    }                                                                                         \
    /* dx for batch items [0, N); f (may be NULL) is the fused ReluGrad's features. */        \
    static void max_pool_grad_##S(const T *x, const T *dy, const T *f, T *dx,                 \
                                  const Py_ssize_t *g) {                                      \
        Py_ssize_t N = g[0], H = g[1], W = g[2], C = g[3], kh = g[4], kw = g[5];              \
        Py_ssize_t sh = g[6], sw = g[7], pt = g[8], pl = g[9], OH = g[10], OW = g[11];        \
        int overlap = sh < kh || sw < kw;                                                     \
        int tiled = sh == kh && sw == kw && pt == 0 && pl == 0 && OH * kh == H &&             \
                    OW * kw == W;                                                             \
        Py_ssize_t img = H * W * C;                                                           \
        for (Py_ssize_t n = 0; n < N; n++) {                                                  \
            T *dxn = dx + n * img;                                                            \
            if (!tiled) memset(dxn, 0, (size_t)img * sizeof(T));                              \
            for (Py_ssize_t q = 0; q < OH * OW; q++) {                                        \
                Py_ssize_t qq = overlap ? OH * OW - 1 - q : q;                                \
                Py_ssize_t oh = qq / OW, ow = qq % OW;                                        \
                Py_ssize_t h0 = oh * sh - pt, hs = h0 < 0 ? 0 : h0;                           \
                Py_ssize_t he = h0 + kh < H ? h0 + kh : H;                                    \
                Py_ssize_t w0 = ow * sw - pl, ws = w0 < 0 ? 0 : w0;                           \
                Py_ssize_t we = w0 + kw < W ? w0 + kw : W;                                    \
                if (hs >= he || ws >= we) continue;                                           \
                const T *d = dy + ((n * OH + oh) * OW + ow) * C;                              \
                for (Py_ssize_t c = 0; c < C; c++) {                                          \
                    Py_ssize_t arg = -1;                                                      \
                    T best = 0;                                                               \
                    int nan = 0;                                                              \
                    for (Py_ssize_t h = hs; h < he; h++)                                      \
                        for (Py_ssize_t w = ws; w < we; w++) {                                \
                            T v = x[((n * H + h) * W + w) * C + c];                           \
                            if (v != v) nan = 1;                                              \
                            if (arg < 0 || v > best) {                                        \
                                best = v;                                                     \
                                arg = (h - h0) * kw + (w - w0);                               \
                            }                                                                 \
                        }                                                                     \
                    if (nan) arg = -1;                                                        \
                    T dv = d[c], dz = d[c] * (T)0;                                            \
                    for (Py_ssize_t h = hs; h < he; h++)                                      \
                        for (Py_ssize_t w = ws; w < we; w++) {                                \
                            Py_ssize_t i = ((h * W) + w) * C + c;                             \
                            T v = ((h - h0) * kw + (w - w0)) == arg ? dv : dz;                \
                            if (overlap) {                                                    \
                                dxn[i] += v;                                                  \
                            } else {                                                          \
                                if (f) v = f[n * img + i] > 0 ? v : v * (T)0;                 \
                                dxn[i] = v;                                                   \
                            }                                                                 \
                        }                                                                     \
                }                                                                             \
            }                                                                                 \
            if (overlap && f) relu_grad_##S(dxn, f + n * img, dxn, img);                      \
        }                                                                                     \
    }

DEFINE_SCALAR(double, f64)
#ifndef __AVX512F__
DEFINE_SCALAR(float, f32)
#else
/* ------------------------------------------------------------------ AVX-512 float32 */

static inline __mmask16 tail_mask(Py_ssize_t rem) {
    return rem >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rem) - 1u);
}

/* np.maximum(m, x): m > x ? m : x, and a NaN in either operand wins. */
static inline __m512 np_max16(__m512 m, __m512 x) {
    __m512 r = _mm512_max_ps(m, x); /* m > x ? m : x; x when either is NaN */
    return _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(m, m, _CMP_UNORD_Q), m);
}

/* np.maximum(r, 0): r where r > 0 or r is NaN, else +0. */
static inline __m512 np_relu16(__m512 r) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_NLE_UQ), r);
}

/* g * (f > 0) */
static inline __m512 np_relu_grad16(__m512 g, __m512 f) {
    __m512 z = _mm512_mul_ps(g, _mm512_setzero_ps());
    return _mm512_mask_mov_ps(z, _mm512_cmp_ps_mask(f, _mm512_setzero_ps(), _CMP_GT_OQ), g);
}

static void bias_rows_f32(const float *x, const float *b, float *out, Py_ssize_t rows,
                          Py_ssize_t C, int relu) {
    for (Py_ssize_t r = 0; r < rows; r++) {
        const float *xr = x + r * C;
        float *o = out + r * C;
        Py_ssize_t c = 0;
        for (; c + 16 <= C; c += 16) {
            __m512 v = _mm512_add_ps(_mm512_loadu_ps(xr + c), _mm512_loadu_ps(b + c));
            if (relu) v = np_relu16(v);
            _mm512_storeu_ps(o + c, v);
        }
        if (c < C) {
            __mmask16 m = tail_mask(C - c);
            __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, xr + c),
                                     _mm512_maskz_loadu_ps(m, b + c));
            if (relu) v = np_relu16(v);
            _mm512_mask_storeu_ps(o + c, m, v);
        }
    }
}

static void bias_act_f32(const float *x, const float *b, float *out, Py_ssize_t rows,
                         Py_ssize_t C, int relu) {
    if (C >= 64 || rows <= 1) {
        bias_rows_f32(x, b, out, rows, C, relu);
        return;
    }
    /* Short rows: run over rows of k*C elements (>= 64) with the bias repeated k times. */
    float bb[128];
    Py_ssize_t k = (64 + C - 1) / C, R = k * C;
    for (Py_ssize_t i = 0; i < R; i++) bb[i] = b[i % C];
    Py_ssize_t full = rows / k;
    bias_rows_f32(x, bb, out, full, R, relu);
    Py_ssize_t done = full * R, rest = (rows - full * k) * C;
    if (rest) bias_rows_f32(x + done, bb, out + done, 1, rest, relu);
}

static void relu_f32(const float *x, float *out, Py_ssize_t n) {
    Py_ssize_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512 a = np_relu16(_mm512_loadu_ps(x + i)), b = np_relu16(_mm512_loadu_ps(x + i + 16));
        __m512 c = np_relu16(_mm512_loadu_ps(x + i + 32));
        __m512 d = np_relu16(_mm512_loadu_ps(x + i + 48));
        _mm512_storeu_ps(out + i, a);
        _mm512_storeu_ps(out + i + 16, b);
        _mm512_storeu_ps(out + i + 32, c);
        _mm512_storeu_ps(out + i + 48, d);
    }
    for (; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(out + i, m, np_relu16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

static void relu_grad_f32(const float *g, const float *f, float *out, Py_ssize_t n) {
    Py_ssize_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 a = np_relu_grad16(_mm512_loadu_ps(g + i), _mm512_loadu_ps(f + i));
        __m512 b = np_relu_grad16(_mm512_loadu_ps(g + i + 16), _mm512_loadu_ps(f + i + 16));
        _mm512_storeu_ps(out + i, a);
        _mm512_storeu_ps(out + i + 16, b);
    }
    for (; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        __m512 v = np_relu_grad16(_mm512_maskz_loadu_ps(m, g + i), _mm512_maskz_loadu_ps(m, f + i));
        _mm512_mask_storeu_ps(out + i, m, v);
    }
}

static void col_acc_f32(const float *x, double *acc, Py_ssize_t rows, Py_ssize_t C) {
    for (Py_ssize_t c0 = 0; c0 < C; c0 += 64) {
        Py_ssize_t cw = C - c0 < 64 ? C - c0 : 64;
        __m512d a[8];
        __mmask8 mk[8];
        int nb = (int)((cw + 7) / 8);
        for (int j = 0; j < 8; j++) {
            Py_ssize_t rem = cw - 8 * j;
            mk[j] = rem >= 8 ? (__mmask8)0xFF : rem > 0 ? (__mmask8)((1u << rem) - 1u) : 0;
            a[j] = _mm512_maskz_loadu_pd(mk[j], acc + c0 + 8 * j);
        }
        for (Py_ssize_t r = 0; r < rows; r++) {
            const float *p = x + r * C + c0;
            for (int j = 0; j < nb; j++)
                a[j] = _mm512_add_pd(a[j],
                                     _mm512_cvtps_pd(_mm256_maskz_loadu_ps(mk[j], p + 8 * j)));
        }
        for (int j = 0; j < nb; j++) _mm512_mask_storeu_pd(acc + c0 + 8 * j, mk[j], a[j]);
    }
}

static void max_pool_f32(const float *x, float *out, const Py_ssize_t *g) {
    Py_ssize_t N = g[0], H = g[1], W = g[2], C = g[3], kh = g[4], kw = g[5];
    Py_ssize_t sh = g[6], sw = g[7], pt = g[8], pl = g[9], OH = g[10], OW = g[11];
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    for (Py_ssize_t n = 0; n < N; n++)
        for (Py_ssize_t oh = 0; oh < OH; oh++) {
            Py_ssize_t h0 = oh * sh - pt, hs = h0 < 0 ? 0 : h0;
            Py_ssize_t he = h0 + kh < H ? h0 + kh : H;
            for (Py_ssize_t ow = 0; ow < OW; ow++) {
                Py_ssize_t w0 = ow * sw - pl, ws = w0 < 0 ? 0 : w0;
                Py_ssize_t we = w0 + kw < W ? w0 + kw : W;
                float *o = out + ((n * OH + oh) * OW + ow) * C;
                for (Py_ssize_t c = 0; c < C; c += 16) {
                    __mmask16 m = tail_mask(C - c);
                    __m512 acc = ninf;
                    for (Py_ssize_t w = ws; w < we; w++)
                        for (Py_ssize_t h = hs; h < he; h++)
                            acc = np_max16(
                                acc, _mm512_maskz_loadu_ps(m, x + ((n * H + h) * W + w) * C + c));
                    _mm512_mask_storeu_ps(o + c, m, acc);
                }
            }
        }
}

static void max_pool_grad_f32(const float *x, const float *dy, const float *f, float *dx,
                              const Py_ssize_t *g) {
    Py_ssize_t N = g[0], H = g[1], W = g[2], C = g[3], kh = g[4], kw = g[5];
    Py_ssize_t sh = g[6], sw = g[7], pt = g[8], pl = g[9], OH = g[10], OW = g[11];
    int overlap = sh < kh || sw < kw;
    int tiled = sh == kh && sw == kw && pt == 0 && pl == 0 && OH * kh == H && OW * kw == W;
    Py_ssize_t img = H * W * C;
    const __m512 zero = _mm512_setzero_ps();
    const __m512i none = _mm512_set1_epi32(-1);
    for (Py_ssize_t n = 0; n < N; n++) {
        float *dxn = dx + n * img;
        const float *xn = x + n * img;
        const float *fn = f ? f + n * img : NULL;
        if (!tiled) memset(dxn, 0, (size_t)img * sizeof(float));
        for (Py_ssize_t q = 0; q < OH * OW; q++) {
            /* overlapping windows add up in tap order: visit them last to first */
            Py_ssize_t qq = overlap ? OH * OW - 1 - q : q;
            Py_ssize_t oh = qq / OW, ow = qq % OW;
            Py_ssize_t h0 = oh * sh - pt, hs = h0 < 0 ? 0 : h0;
            Py_ssize_t he = h0 + kh < H ? h0 + kh : H;
            Py_ssize_t w0 = ow * sw - pl, ws = w0 < 0 ? 0 : w0;
            Py_ssize_t we = w0 + kw < W ? w0 + kw : W;
            if (hs >= he || ws >= we) continue;
            const float *d = dy + ((n * OH + oh) * OW + ow) * C;
            for (Py_ssize_t c = 0; c < C; c += 16) {
                __mmask16 m = tail_mask(C - c);
                __m512 best = _mm512_maskz_loadu_ps(m, xn + (hs * W + ws) * C + c);
                __m512i arg = _mm512_set1_epi32((int)((hs - h0) * kw + (ws - w0)));
                __mmask16 nan = _mm512_cmp_ps_mask(best, best, _CMP_UNORD_Q);
                for (Py_ssize_t h = hs; h < he; h++)
                    for (Py_ssize_t w = (h == hs ? ws + 1 : ws); w < we; w++) {
                        __m512 v = _mm512_maskz_loadu_ps(m, xn + (h * W + w) * C + c);
                        __mmask16 gt = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
                        nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
                        best = _mm512_mask_mov_ps(best, gt, v);
                        arg = _mm512_mask_mov_epi32(
                            arg, gt, _mm512_set1_epi32((int)((h - h0) * kw + (w - w0))));
                    }
                arg = _mm512_mask_mov_epi32(arg, nan, none);
                __m512 dv = _mm512_maskz_loadu_ps(m, d + c);
                __m512 dz = _mm512_mul_ps(dv, zero);
                for (Py_ssize_t h = hs; h < he; h++)
                    for (Py_ssize_t w = ws; w < we; w++) {
                        Py_ssize_t i = (h * W + w) * C + c;
                        __mmask16 hit = _mm512_cmpeq_epi32_mask(
                            arg, _mm512_set1_epi32((int)((h - h0) * kw + (w - w0))));
                        __m512 v = _mm512_mask_mov_ps(dz, hit, dv);
                        if (overlap) {
                            v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, dxn + i), v);
                        } else if (fn) {
                            v = np_relu_grad16(v, _mm512_maskz_loadu_ps(m, fn + i));
                        }
                        _mm512_mask_storeu_ps(dxn + i, m, v);
                    }
            }
        }
        if (overlap && fn) relu_grad_f32(dxn, fn, dxn, img);
    }
}
#endif

#define DEFINE_COL_SUM(T, S)                                                                  \
    static int col_sum_##S(const T *x, T *out, Py_ssize_t rows, Py_ssize_t C) {               \
        double *acc = (double *)calloc(C ? (size_t)C : 1, sizeof(double));                    \
        if (!acc) return 0;                                                                   \
        col_acc_##S(x, acc, rows, C);                                                         \
        for (Py_ssize_t c = 0; c < C; c++) out[c] = (T)acc[c];                                \
        free(acc);                                                                            \
        return 1;                                                                             \
    }
DEFINE_COL_SUM(float, f32)
DEFINE_COL_SUM(double, f64)

/* ------------------------------------------------------------------ Python entry points */

/* bias_act(x, bias_or_None, out, n, C, relu, dt): out = act(x + bias[i % C]) (bias over the
 * last axis of length C; n elements, n % C == 0); without a bias out = relu(x). out may be x. */
static PyObject *py_bias_act(PyObject *self, PyObject *args) {
    Py_buffer x, out, b = {0};
    PyObject *bobj;
    Py_ssize_t n, C, esz;
    int relu, dt;
    if (!PyArg_ParseTuple(args, "y*Ow*nnii", &x, &bobj, &out, &n, &C, &relu, &dt)) return NULL;
    int hasb = bobj != Py_None, ok = 0;
    if (hasb && PyObject_GetBuffer(bobj, &b, PyBUF_C_CONTIGUOUS) < 0) goto done;
    if (!esize_of(dt, &esz)) goto done;
    Py_ssize_t nb, cb;
    if (n < 0 || C < 1 || (hasb && n % C != 0)) {
        PyErr_SetString(PyExc_ValueError, "bias_act: need n >= 0, C >= 1 and C dividing n");
        goto done;
    }
    if (!hasb && !relu) {
        PyErr_SetString(PyExc_ValueError, "bias_act: nothing to do without bias or relu");
        goto done;
    }
    if (!mul_size(n, esz, &nb) || !check_in(&x, nb, "bias_act x") ||
        !check_out(&out, nb, "bias_act out") ||
        !mul_size(C, esz, &cb) || (hasb && !tw_check_bytes(&b, cb, "bias_act bias")))
        goto done;
    ok = 1;
    Py_BEGIN_ALLOW_THREADS
    if (dt == DT_F32) {
        if (hasb) bias_act_f32((const float *)x.buf, (const float *)b.buf, (float *)out.buf,
                               n / C, C, relu);
        else relu_f32((const float *)x.buf, (float *)out.buf, n);
    } else {
        if (hasb) bias_act_f64((const double *)x.buf, (const double *)b.buf,
                               (double *)out.buf, n / C, C, relu);
        else relu_f64((const double *)x.buf, (double *)out.buf, n);
    }
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&out);
    if (hasb && b.obj) PyBuffer_Release(&b);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

/* relu_grad(g, f, out, n, dt): out = g * (f > 0); out may be g or f. */
static PyObject *py_relu_grad(PyObject *self, PyObject *args) {
    Py_buffer g, f, out;
    Py_ssize_t n, esz, nb;
    int dt, ok = 0;
    if (!PyArg_ParseTuple(args, "y*y*w*ni", &g, &f, &out, &n, &dt)) return NULL;
    if (!esize_of(dt, &esz) || !mul_size(n, esz, &nb) || !check_in(&g, nb, "relu_grad g") ||
        !check_in(&f, nb, "relu_grad f") || !check_out(&out, nb, "relu_grad out"))
        goto done;
    ok = 1;
    Py_BEGIN_ALLOW_THREADS
    if (dt == DT_F32) relu_grad_f32((const float *)g.buf, (const float *)f.buf,
                                    (float *)out.buf, n);
    else relu_grad_f64((const double *)g.buf, (const double *)f.buf, (double *)out.buf, n);
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&g);
    PyBuffer_Release(&f);
    PyBuffer_Release(&out);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

/* col_sum(x, out, rows, C, dt): out[c] = sum over rows of x[r, c] (accumulated in double). */
static PyObject *py_col_sum(PyObject *self, PyObject *args) {
    Py_buffer x, out;
    Py_ssize_t rows, C, esz, nb, cb;
    int dt, ok = 0;
    if (!PyArg_ParseTuple(args, "y*w*nni", &x, &out, &rows, &C, &dt)) return NULL;
    if (!esize_of(dt, &esz) || !mul_size(rows, C, &nb) || !mul_size(nb, esz, &nb) ||
        !mul_size(C, esz, &cb) || !check_in(&x, nb, "col_sum x") ||
        !check_out(&out, cb, "col_sum out"))
        goto done;
    Py_BEGIN_ALLOW_THREADS
    if (dt == DT_F32) ok = col_sum_f32((const float *)x.buf, (float *)out.buf, rows, C);
    else ok = col_sum_f64((const double *)x.buf, (double *)out.buf, rows, C);
    Py_END_ALLOW_THREADS
    if (!ok) PyErr_NoMemory();
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&out);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

/* Validates the pooling geometry g = N H W C kh kw sh sw pt pl OH OW; sets the element
 * counts of the input and output images. */
static int check_geom(const Py_ssize_t *g, Py_ssize_t *nin, Py_ssize_t *nout) {
    for (int i = 0; i < 12; i++)
        if (g[i] < 0 || g[i] > ((Py_ssize_t)1 << 40)) {
            PyErr_SetString(PyExc_ValueError, "pool geometry values must be in [0, 2**40]");
            return 0;
        }
    if (g[4] < 1 || g[5] < 1 || g[6] < 1 || g[7] < 1) {
        PyErr_SetString(PyExc_ValueError, "pool ksize and strides must be >= 1");
        return 0;
    }
    Py_ssize_t t;
    if (!mul_size(g[10], g[6], &t) || !mul_size(g[11], g[7], &t) ||
        g[10] * g[6] > ((Py_ssize_t)1 << 50) || g[11] * g[7] > ((Py_ssize_t)1 << 50)) {
        PyErr_SetString(PyExc_ValueError, "pool output size times stride too large");
        return 0;
    }
    if (!mul_size(g[0], g[1], nin) || !mul_size(*nin, g[2], nin) || !mul_size(*nin, g[3], nin) ||
        !mul_size(g[0], g[10], nout) || !mul_size(*nout, g[11], nout) ||
        !mul_size(*nout, g[3], nout))
        return 0;
    if (g[4] * g[5] > INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "pool window too large");
        return 0;
    }
    return 1;
}

/* max_pool(x, out, N, H, W, C, kh, kw, sh, sw, pad_top, pad_left, OH, OW, dt) */
static PyObject *py_max_pool(PyObject *self, PyObject *args) {
    Py_buffer x, out;
    Py_ssize_t g[12], esz, nin, nout;
    int dt, ok = 0;
    if (!PyArg_ParseTuple(args, "y*w*nnnnnnnnnnnni", &x, &out, &g[0], &g[1], &g[2], &g[3],
                          &g[4], &g[5], &g[6], &g[7], &g[8], &g[9], &g[10], &g[11], &dt))
        return NULL;
    if (!esize_of(dt, &esz) || !check_geom(g, &nin, &nout) ||
        !check_in(&x, nin * esz, "max_pool x") || !check_out(&out, nout * esz, "max_pool out"))
        goto done;
    ok = 1;
    Py_BEGIN_ALLOW_THREADS
    if (dt == DT_F32) max_pool_f32((const float *)x.buf, (float *)out.buf, g);
    else max_pool_f64((const double *)x.buf, (double *)out.buf, g);
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&out);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

/* max_pool_grad(x, dy, f_or_None, dx, N, H, W, C, kh, kw, sh, sw, pad_top, pad_left, OH, OW,
 * dt[, colsum]): MaxPoolGrad into dx (x's shape); with f, dx = ReluGrad(MaxPoolGrad(...), f).
 * With a colsum buffer (C elements) it also gets dx summed over N, H, W: the numbers of
 * col_sum(dx), computed image by image while dx is still in cache. */
static PyObject *py_max_pool_grad(PyObject *self, PyObject *args) {
    Py_buffer x, dy, dx, f = {0}, cs = {0};
    PyObject *fobj, *csobj = Py_None;
    Py_ssize_t g[12], esz, nin, nout, cb;
    int dt, ok = 0, hasf = 0, hascs = 0;
    if (!PyArg_ParseTuple(args, "y*y*Ow*nnnnnnnnnnnni|O", &x, &dy, &fobj, &dx, &g[0], &g[1],
                          &g[2], &g[3], &g[4], &g[5], &g[6], &g[7], &g[8], &g[9], &g[10],
                          &g[11], &dt, &csobj))
        return NULL;
    if (fobj != Py_None) {
        if (PyObject_GetBuffer(fobj, &f, PyBUF_C_CONTIGUOUS) < 0) goto done;
        hasf = 1;
    }
    if (csobj != Py_None) {
        if (PyObject_GetBuffer(csobj, &cs, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) goto done;
        hascs = 1;
    }
    if (!esize_of(dt, &esz) || !check_geom(g, &nin, &nout) ||
        !check_in(&x, nin * esz, "max_pool_grad x") ||
        !check_in(&dy, nout * esz, "max_pool_grad dy") ||
        (hasf && !tw_check_bytes(&f, nin * esz, "max_pool_grad f")) ||
        !check_out(&dx, nin * esz, "max_pool_grad dx") || !mul_size(g[3], esz, &cb) ||
        (hascs && !tw_check_bytes(&cs, cb, "max_pool_grad colsum")))
        goto done;
    double *acc = NULL;
    if (hascs) {
        acc = (double *)calloc(g[3] ? (size_t)g[3] : 1, sizeof(double));
        if (!acc) {
            PyErr_NoMemory();
            goto done;
        }
    }
    ok = 1;
    Py_BEGIN_ALLOW_THREADS
    if (!hascs) {
        if (dt == DT_F32)
            max_pool_grad_f32((const float *)x.buf, (const float *)dy.buf,
                              hasf ? (const float *)f.buf : NULL, (float *)dx.buf, g);
        else
            max_pool_grad_f64((const double *)x.buf, (const double *)dy.buf,
                              hasf ? (const double *)f.buf : NULL, (double *)dx.buf, g);
    } else {
        Py_ssize_t g1[12], img = g[1] * g[2] * g[3], oimg = g[10] * g[11] * g[3];
        memcpy(g1, g, sizeof(g1));
        g1[0] = 1;
        for (Py_ssize_t n = 0; n < g[0]; n++) {
            if (dt == DT_F32) {
                float *d = (float *)dx.buf + n * img;
                max_pool_grad_f32((const float *)x.buf + n * img, (const float *)dy.buf + n * oimg,
                                  hasf ? (const float *)f.buf + n * img : NULL, d, g1);
                col_acc_f32(d, acc, g[1] * g[2], g[3]);
            } else {
                double *d = (double *)dx.buf + n * img;
                max_pool_grad_f64((const double *)x.buf + n * img,
                                  (const double *)dy.buf + n * oimg,
                                  hasf ? (const double *)f.buf + n * img : NULL, d, g1);
                col_acc_f64(d, acc, g[1] * g[2], g[3]);
            }
        }
        for (Py_ssize_t c = 0; c < g[3]; c++) {
            if (dt == DT_F32) ((float *)cs.buf)[c] = (float)acc[c];
            else ((double *)cs.buf)[c] = acc[c];
        }
    }
    Py_END_ALLOW_THREADS
    free(acc);
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&dy);
    PyBuffer_Release(&dx);
    if (hasf) PyBuffer_Release(&f);
    if (hascs) PyBuffer_Release(&cs);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

/* bias_relu_pool(x, bias, out, y, N, H, W, C, kh, kw, sh, sw, pad_top, pad_left, OH, OW, dt):
 * out = relu(x + bias) and y = max_pool(out), image by image (y is read from cache). */
static PyObject *py_bias_relu_pool(PyObject *self, PyObject *args) {
    Py_buffer x, b, out, y;
    Py_ssize_t g[12], esz, nin, nout, cb;
    int dt, ok = 0;
    if (!PyArg_ParseTuple(args, "y*y*w*w*nnnnnnnnnnnni", &x, &b, &out, &y, &g[0], &g[1], &g[2],
                          &g[3], &g[4], &g[5], &g[6], &g[7], &g[8], &g[9], &g[10], &g[11], &dt))
        return NULL;
    if (!esize_of(dt, &esz) || !check_geom(g, &nin, &nout) || !mul_size(g[3], esz, &cb) ||
        !check_in(&x, nin * esz, "bias_relu_pool x") ||
        !tw_check_bytes(&b, cb, "bias_relu_pool bias") ||
        !check_out(&out, nin * esz, "bias_relu_pool out") ||
        !check_out(&y, nout * esz, "bias_relu_pool y"))
        goto done;
    if (g[3] < 1) {
        PyErr_SetString(PyExc_ValueError, "bias_relu_pool: need C >= 1");
        goto done;
    }
    ok = 1;
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t g1[12], img = g[1] * g[2] * g[3], oimg = g[10] * g[11] * g[3];
    memcpy(g1, g, sizeof(g1));
    g1[0] = 1;
    for (Py_ssize_t n = 0; n < g[0]; n++) {
        if (dt == DT_F32) {
            float *o = (float *)out.buf + n * img;
            bias_act_f32((const float *)x.buf + n * img, (const float *)b.buf, o, g[1] * g[2],
                         g[3], 1);
            max_pool_f32(o, (float *)y.buf + n * oimg, g1);
        } else {
            double *o = (double *)out.buf + n * img;
            bias_act_f64((const double *)x.buf + n * img, (const double *)b.buf, o,
                         g[1] * g[2], g[3], 1);
            max_pool_f64(o, (double *)y.buf + n * oimg, g1);
        }
    }
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&b);
    PyBuffer_Release(&out);
    PyBuffer_Release(&y);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"bias_act", py_bias_act, METH_VARARGS, "out = act(x + bias) over the last axis."},
    {"relu_grad", py_relu_grad, METH_VARARGS, "out = g * (f > 0)."},
    {"col_sum", py_col_sum, METH_VARARGS, "Column sums of a (rows, C) matrix."},
    {"max_pool", py_max_pool, METH_VARARGS, "2-D max pooling, NHWC."},
    {"max_pool_grad", py_max_pool_grad, METH_VARARGS,
     "2-D MaxPoolGrad (first maximum), NHWC, optionally fused with ReluGrad (+column sums)."},
    {"bias_relu_pool", py_bias_relu_pool, METH_VARARGS,
     "relu(x + bias) and its 2-D max pool (NHWC) in one pass."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_nn", NULL, -1, methods};

PyMODINIT_FUNC PyInit__nn(void) { return PyModule_Create(&module); }
