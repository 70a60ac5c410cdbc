/* Float32 2-D convolution kernels (channels-last) for tensorweave/kernels/conv_fast.py.
 *
 * Two families:
 *
 *  - direct_fwd / direct_bwd_filter: a direct NHWC convolution for few input channels
 *    (e.g. a first layer with Cin=1): vectorised over the output channels, several output
 *    pixels (forward) or several filter taps (filter gradient) kept in registers.
 *
 *  - dft_fwd / cgemm / dft_inv: the building blocks of the transform-domain path for
 *    stride-1 convolutions (see conv_fast.py).  dft_fwd is the real 2-D DFT of maps placed
 *    in a zero-padded PH x PW frame (the padding never touched), written as a half spectrum
 *    F = PH * (PW/2+1) frequencies in the layout [f][re/im][item][channel]; cgemm is one
 *    complex matmul per frequency (the channel mixing); dft_inv is the inverse DFT that
 *    produces only a window of rows and columns (the crop) into any strided NHWC-like array.
 *    The transforms are dense DFT sums (maps of 10-40 pixels), vectorised over channels.
 *
 * Every entry point works on a range of work items so the Python side can split a call over
 * threads; each item's arithmetic does not depend on the split.  Buffers are float32 (the
 * Python side guarantees the dtype; sizes are checked here in bytes).
 */
#include "tw_native.h"
#include <math.h>
#include <stdlib.h>

#ifdef __AVX512F__
#include <immintrin.h>
typedef __m512 vf;
typedef __mmask16 vmask;
static inline vmask v_mask(Py_ssize_t n) {
    return n >= 16 ? (vmask)0xFFFF : n <= 0 ? (vmask)0 : (vmask)((1u << n) - 1u);
}
static inline vf v_zero(void) { return _mm512_setzero_ps(); }
static inline vf v_set1(float a) { return _mm512_set1_ps(a); }
static inline vf v_load(const float *p, vmask m) { return _mm512_maskz_loadu_ps(m, p); }
static inline vf v_loadu(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, vf v, vmask m) { _mm512_mask_storeu_ps(p, m, v); }
static inline vf v_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }   /* a*b+c */
static inline vf v_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); } /* c-a*b */
static inline vf v_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
#else
/* Portable fallback: 16 lanes in a struct, a mask is the number of leading lanes. */
typedef struct { float v[16]; } vf;
typedef int vmask;
static inline vmask v_mask(Py_ssize_t n) { return n >= 16 ? 16 : n <= 0 ? 0 : (int)n; }
static inline vf v_zero(void) { vf r; for (int l = 0; l < 16; l++) r.v[l] = 0.0f; return r; }
static inline vf v_set1(float a) { vf r; for (int l = 0; l < 16; l++) r.v[l] = a; return r; }
static inline vf v_load(const float *p, vmask m) {
    vf r;
    for (int l = 0; l < 16; l++) r.v[l] = l < m ? p[l] : 0.0f;
    return r;
}
static inline void v_store(float *p, vf v, vmask m) { for (int l = 0; l < m; l++) p[l] = v.v[l]; }
static inline vf v_loadu(const float *p) { return v_load(p, 16); }
static inline vf v_fma(vf a, vf b, vf c) {
    for (int l = 0; l < 16; l++) c.v[l] = a.v[l] * b.v[l] + c.v[l];
    return c;
}
static inline vf v_fnma(vf a, vf b, vf c) {
    for (int l = 0; l < 16; l++) c.v[l] = c.v[l] - a.v[l] * b.v[l];
    return c;
}
static inline vf v_add(vf a, vf b) { for (int l = 0; l < 16; l++) a.v[l] += b.v[l]; return a; }
static inline vf v_sub(vf a, vf b) { for (int l = 0; l < 16; l++) a.v[l] -= b.v[l]; return a; }
static inline vf v_mul(vf a, vf b) { for (int l = 0; l < 16; l++) a.v[l] *= b.v[l]; return a; }
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* 64-byte aligned scratch (size rounded up to a multiple of 64, as aligned_alloc wants). */
static void *alloc64(size_t bytes) { return aligned_alloc(64, (bytes + 63) / 64 * 64); }
#define BAD(...) do { PyErr_Format(PyExc_ValueError, __VA_ARGS__); goto done; } while (0)
static const double TWO_PI = 6.283185307179586476925286766559;

/* cos/sin of 2*pi*k*x/p, exact integer reduction of the angle first. */
static inline void twiddle(Py_ssize_t k, Py_ssize_t x, Py_ssize_t p, double *c, double *s) {
    long long m = ((long long)k * (long long)x) % (long long)p;
    if (m < 0) m += p;
    double a = TWO_PI * (double)m / (double)p;
    *c = cos(a);
    *s = sin(a);
}

/* Largest float index touched by a strided access plus one; -1 on overflow-ish sizes. */
static int span_ok(Py_ssize_t nelem_needed, const Py_buffer *b, const char *what) {
    if (nelem_needed < 0 || nelem_needed > PY_SSIZE_T_MAX / 4) {
        PyErr_Format(PyExc_ValueError, "%s: bad size", what);
        return 0;
    }
    return tw_check_bytes(b, nelem_needed * 4, what);
}

/* ---- blocked pieces of the transforms (KB, HB, RB, XB: compile-time block sizes) ---- */

/* T[h][kw+b] for b < KB: DFT along W of one row from its NT even/odd terms EO[j] =
 * (E0, E1, O0, O1): re = sum_j E c, im = -sum_j O s (see dft_fwd). */
ALWAYS_INLINE void fw_w(int KB, const vf *EO, Py_ssize_t NT, const float *cw, const float *swt,
                        Py_ssize_t kw, vf *Th) {
    vf re[4][2], im[4][2];
#pragma GCC unroll 4
    for (int b = 0; b < KB; b++) re[b][0] = re[b][1] = im[b][0] = im[b][1] = v_zero();
    for (Py_ssize_t j = 0; j < NT; j++) {
        const vf *eo = EO + 4 * j;
        vf e0 = eo[0], e1 = eo[1], o0 = eo[2], o1 = eo[3];
#pragma GCC unroll 4
        for (int b = 0; b < KB; b++) {
            vf c = v_set1(cw[(kw + b) * NT + j]), s = v_set1(swt[(kw + b) * NT + j]);
            re[b][0] = v_fma(e0, c, re[b][0]); re[b][1] = v_fma(e1, c, re[b][1]);
            im[b][0] = v_fnma(o0, s, im[b][0]); im[b][1] = v_fnma(o1, s, im[b][1]);
        }
    }
#pragma GCC unroll 4
    for (int b = 0; b < KB; b++) {
        vf *t = Th + 4 * (kw + b);
        t[0] = re[b][0]; t[1] = re[b][1]; t[2] = im[b][0]; t[3] = im[b][1];
    }
}

/* Stores one spectrum value z = re + i im (2 vectors each) in the planes of `mode`:
 *   0: re, im                      (plain)
 *   1: re, im, re + im             (left operand of the 3-multiplication complex product)
 *   2: re, im - re, re + im        (right operand)
 *   3: re, -im - re, re - im       (right operand, conjugated) */
static inline void store_planes(float *o, Py_ssize_t ps, int mode, vf r0, vf r1, vf i0, vf i1,
                                vmask m0, vmask m1) {
    v_store(o, r0, m0); v_store(o + 16, r1, m1);
    vf p0 = i0, p1 = i1;
    if (mode == 2) { p0 = v_sub(i0, r0); p1 = v_sub(i1, r1); }
    if (mode == 3) { p0 = v_sub(v_sub(v_zero(), i0), r0); p1 = v_sub(v_sub(v_zero(), i1), r1); }
    v_store(o + ps, p0, m0); v_store(o + ps + 16, p1, m1);
    if (mode == 0) return;
    vf q0 = mode == 3 ? v_sub(r0, i0) : v_add(r0, i0);
    vf q1 = mode == 3 ? v_sub(r1, i1) : v_add(r1, i1);
    v_store(o + 2 * ps, q0, m0); v_store(o + 2 * ps + 16, q1, m1);
}

/* Outputs kh0+b and PH-(kh0+b) (b < HB) of the DFT along H of column kw of T:
 * X[kh] = (P + Qs) + i(R - S), X[PH-kh] = (P - Qs) + i(R + S) with
 * P = sum a c, Qs = sum b s, R = sum b c, S = sum a s (T = a + ib). */
ALWAYS_INLINE void fw_h(int HB, const vf *T, Py_ssize_t Q, Py_ssize_t kw, Py_ssize_t H,
                        const float *chh, const float *shh, Py_ssize_t kh0, Py_ssize_t PH,
                        float *dp, Py_ssize_t ntot, Py_ssize_t C, int mode, vmask m0,
                        vmask m1) {
    vf P[2][2], Qs[2][2], R[2][2], S[2][2];
#pragma GCC unroll 2
    for (int b = 0; b < HB; b++)
        P[b][0] = P[b][1] = Qs[b][0] = Qs[b][1] = R[b][0] = R[b][1] = S[b][0] = S[b][1] = v_zero();
    for (Py_ssize_t h = 0; h < H; h++) {
        const vf *t = T + 4 * (h * Q + kw);
        vf a0 = t[0], a1 = t[1], b0 = t[2], b1 = t[3];
#pragma GCC unroll 2
        for (int b = 0; b < HB; b++) {
            vf c = v_set1(chh[(kh0 + b) * H + h]), s = v_set1(shh[(kh0 + b) * H + h]);
            P[b][0] = v_fma(a0, c, P[b][0]); P[b][1] = v_fma(a1, c, P[b][1]);
            Qs[b][0] = v_fma(b0, s, Qs[b][0]); Qs[b][1] = v_fma(b1, s, Qs[b][1]);
            R[b][0] = v_fma(b0, c, R[b][0]); R[b][1] = v_fma(b1, c, R[b][1]);
            S[b][0] = v_fma(a0, s, S[b][0]); S[b][1] = v_fma(a1, s, S[b][1]);
        }
    }
    const Py_ssize_t ps = ntot * C, np_ = mode ? 3 : 2; /* plane stride, planes */
#pragma GCC unroll 2
    for (int b = 0; b < HB; b++) {
        Py_ssize_t kh = kh0 + b, km = PH - kh;
        store_planes(dp + (kh * Q + kw) * np_ * ps, ps, mode, v_add(P[b][0], Qs[b][0]),
                     v_add(P[b][1], Qs[b][1]), v_sub(R[b][0], S[b][0]), v_sub(R[b][1], S[b][1]),
                     m0, m1);
        if (kh > 0 && km != kh)
            store_planes(dp + (km * Q + kw) * np_ * ps, ps, mode, v_sub(P[b][0], Qs[b][0]),
                         v_sub(P[b][1], Qs[b][1]), v_add(R[b][0], S[b][0]),
                         v_add(R[b][1], S[b][1]), m0, m1);
    }
}

/* Output terms t0+b (b < RB) of the inverse DFT along H, from the conjugate-pair sums and
 * differences SD of the input.  A term is a row ra and, when the crop holds it, its mirror
 * rb = PH - ra: same cosines, opposite sines, so V[ra] = base + Cs + Sn, V[rb] = base + Cs - Sn
 * (Cs the cosine part, Sn the sine part; rt[2t+1] < 0: no mirror). */
ALWAYS_INLINE void iv_h(int RB, const vf *SD, Py_ssize_t NP, const float *hc, const float *hs,
                        const float *hn, int nyq, const vf *Y0, const vf *YN,
                        const Py_ssize_t *rt, Py_ssize_t t0, vf *V, Py_ssize_t Q,
                        Py_ssize_t kw) {
    vf cr[3][2], ci[3][2], sr[3][2], si[3][2];
#pragma GCC unroll 3
    for (int b = 0; b < RB; b++)
        cr[b][0] = cr[b][1] = ci[b][0] = ci[b][1] = sr[b][0] = sr[b][1] = si[b][0] = si[b][1] =
            v_zero();
    for (Py_ssize_t j = 1; j <= NP; j++) {
        const vf *sd = SD + 8 * j;
        vf s0 = sd[0], s1 = sd[1], s2 = sd[2], s3 = sd[3], s4 = sd[4], s5 = sd[5], s6 = sd[6],
           s7 = sd[7];
#pragma GCC unroll 3
        for (int b = 0; b < RB; b++) {
            vf c = v_set1(hc[(t0 + b) * (NP + 1) + j]), s = v_set1(hs[(t0 + b) * (NP + 1) + j]);
            cr[b][0] = v_fma(s0, c, cr[b][0]); cr[b][1] = v_fma(s1, c, cr[b][1]);
            ci[b][0] = v_fma(s2, c, ci[b][0]); ci[b][1] = v_fma(s3, c, ci[b][1]);
            sr[b][0] = v_fnma(s6, s, sr[b][0]); sr[b][1] = v_fnma(s7, s, sr[b][1]);
            si[b][0] = v_fma(s4, s, si[b][0]); si[b][1] = v_fma(s5, s, si[b][1]);
        }
    }
#pragma GCC unroll 3
    for (int b = 0; b < RB; b++) {
        vf b0 = Y0[0], b1 = Y0[1], b2 = Y0[2], b3 = Y0[3];
        if (nyq) { /* (-1)^r: the same for a row and its mirror (PH even) */
            vf c = v_set1(hn[t0 + b]);
            b0 = v_fma(YN[0], c, b0); b1 = v_fma(YN[1], c, b1);
            b2 = v_fma(YN[2], c, b2); b3 = v_fma(YN[3], c, b3);
        }
        b0 = v_add(b0, cr[b][0]); b1 = v_add(b1, cr[b][1]);
        b2 = v_add(b2, ci[b][0]); b3 = v_add(b3, ci[b][1]);
        vf *v = V + 4 * (rt[2 * (t0 + b)] * Q + kw);
        v[0] = v_add(b0, sr[b][0]); v[1] = v_add(b1, sr[b][1]);
        v[2] = v_add(b2, si[b][0]); v[3] = v_add(b3, si[b][1]);
        if (rt[2 * (t0 + b) + 1] >= 0) {
            v = V + 4 * (rt[2 * (t0 + b) + 1] * Q + kw);
            v[0] = v_sub(b0, sr[b][0]); v[1] = v_sub(b1, sr[b][1]);
            v[2] = v_sub(b2, si[b][0]); v[3] = v_sub(b3, si[b][1]);
        }
    }
}

/* Output terms t0+b (b < XB) of one row, half-spectrum to real along W; a term is a column
 * xa and maybe its mirror xb = PW - xa: out[xa] = A + B, out[xb] = A - B with A the cosine and
 * B the sine part. */
ALWAYS_INLINE void iv_w(int XB, const vf *vr, Py_ssize_t Q, const float *wc, const float *ws,
                        const Py_ssize_t *xt, Py_ssize_t t0, float *orow, Py_ssize_t sw,
                        vmask m0, vmask m1) {
    vf A[4][2], B[4][2];
#pragma GCC unroll 4
    for (int b = 0; b < XB; b++) A[b][0] = A[b][1] = B[b][0] = B[b][1] = v_zero();
    for (Py_ssize_t k = 0; k < Q; k++) {
        const vf *v = vr + 4 * k;
        vf v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3];
#pragma GCC unroll 4
        for (int b = 0; b < XB; b++) {
            vf c = v_set1(wc[(t0 + b) * Q + k]), s = v_set1(ws[(t0 + b) * Q + k]);
            A[b][0] = v_fma(v0, c, A[b][0]); A[b][1] = v_fma(v1, c, A[b][1]);
            B[b][0] = v_fma(v2, s, B[b][0]); B[b][1] = v_fma(v3, s, B[b][1]);
        }
    }
#pragma GCC unroll 4
    for (int b = 0; b < XB; b++) {
        float *o = orow + xt[2 * (t0 + b)] * sw;
        v_store(o, v_add(A[b][0], B[b][0]), m0);
        v_store(o + 16, v_add(A[b][1], B[b][1]), m1);
        if (xt[2 * (t0 + b) + 1] >= 0) {
            o = orow + xt[2 * (t0 + b) + 1] * sw;
            v_store(o, v_sub(A[b][0], B[b][0]), m0);
            v_store(o + 16, v_sub(A[b][1], B[b][1]), m1);
        }
    }
}

/* =================================================================== forward DFT */

/* src (item, h, w, c) at item*sn + h*sh + w*sw + c, c < C; the map is placed at (offh, offw)
 * of a PH x PW zero frame.  dst [f][plane][ntot][C], f = kh*Q + kw, Q = PW/2+1, planes as
 * store_planes' mode (2 or 3 planes).  Optional last argument: a contiguous (ntot, H, W, C)
 * buffer that gets a copy of the maps (made while they are read). */
static PyObject *dft_fwd(PyObject *self, PyObject *args) {
    Py_buffer src = {0}, dst = {0}, cpy = {0};
    Py_ssize_t n0, n1, ntot, H, W, C, sn, sh, sw, PH, PW, offh, offw;
    int mode;
    if (!PyArg_ParseTuple(args, "y*w*nnnnnnnnnnnnni|w*", &src, &dst, &n0, &n1, &ntot, &H, &W,
                          &C, &sn, &sh, &sw, &PH, &PW, &offh, &offw, &mode, &cpy))
        return NULL;
    PyObject *ret = NULL;
    float *tw = NULL;
    vf *T = NULL, *EO = NULL;
    Py_ssize_t *tu = NULL;
    if (n0 < 0 || n1 < n0 || n1 > ntot || H < 1 || W < 1 || C < 1 || sn < 0 || sh < 0 ||
        sw < 0 || offh < 0 || offw < 0 || PH < H + offh || PW < W + offw || PH > 4096 ||
        PW > 4096 || mode < 0 || mode > 3)
        BAD("dft_fwd: bad sizes");
    const Py_ssize_t Q = PW / 2 + 1, F = PH * Q;
    if (!tw_check_contig(&dst, "dft_fwd dst")) goto done;
    if (n1 > n0 && !span_ok((n1 - 1) * sn + (H - 1) * sh + (W - 1) * sw + C, &src, "dft_fwd src"))
        goto done;
    if (!span_ok(F * (mode ? 3 : 2) * ntot * C, &dst, "dft_fwd dst")) goto done;
    /* optional: a contiguous (ntot, H, W, C) copy of the maps, written as they are read */
    float *cp = NULL;
    if (cpy.buf != NULL) {
        if (!tw_check_contig(&cpy, "dft_fwd copy") ||
            !span_ok(ntot * H * W * C, &cpy, "dft_fwd copy"))
            goto done;
        cp = cpy.buf;
    }
    const Py_ssize_t NH = PH / 2 + 1, NCB = (C + 31) / 32, TB = 4 * H * Q; /* vf per T block */
    /* items per group: the group's row transforms T (NCB blocks of TB vectors per item) stay
     * in cache while the column transforms write each frequency's rows for all of them */
    Py_ssize_t G = (256 * 1024) / ((Py_ssize_t)sizeof(vf) * TB * NCB);
    if (G < 1) G = 1;
    if (G > n1 - n0) G = n1 - n0 > 0 ? n1 - n0 : 1;
    /* twiddles: cw/sw_ (Q x W), ch/sh_ (NH x H) */
    /* Even/odd terms along W: frame positions u and PW-u have the same cosines and opposite
     * sines, so a pair of samples there enters as E = x_u + x_p (cosines) and
     * O = x_u - x_p (sines); a sample without partner enters alone (E = O = x_u). */
    tw = malloc(sizeof(float) * (2 * Q * W + 2 * NH * H));
    T = alloc64(sizeof(vf) * (size_t)(TB * NCB * G));
    EO = alloc64(sizeof(vf) * (size_t)(4 * W));
    tu = malloc(sizeof(Py_ssize_t) * (size_t)(2 * W));
    if (!tw || !T || !EO || !tu) { PyErr_NoMemory(); goto done; }
    Py_ssize_t NT = 0; /* terms: column tu[2j], partner column tu[2j+1] or -1 */
    for (Py_ssize_t x = 0; x < W; x++) {
        Py_ssize_t u = x + offw, pu = (PW - u) % PW, px = pu - offw;
        if (px >= 0 && px < W && px < x) continue; /* already the partner of px */
        tu[2 * NT] = x;
        tu[2 * NT + 1] = (px >= 0 && px < W && px > x) ? px : -1;
        NT++;
    }
    float *cw = tw, *swt = tw + Q * W, *chh = tw + 2 * Q * W, *shh = chh + NH * H;
    for (Py_ssize_t k = 0; k < Q; k++)
        for (Py_ssize_t j = 0; j < NT; j++) {
            double c, s;
            twiddle(k, tu[2 * j] + offw, PW, &c, &s);
            cw[k * NT + j] = (float)c;
            swt[k * NT + j] = (float)s;
        }
    for (Py_ssize_t k = 0; k < NH; k++)
        for (Py_ssize_t y = 0; y < H; y++) {
            double c, s;
            twiddle(k, y + offh, PH, &c, &s);
            chh[k * H + y] = (float)c;
            shh[k * H + y] = (float)s;
        }
    const float *sp = src.buf;
    float *dp = dst.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t g0 = n0; g0 < n1; g0 += G) {
        const Py_ssize_t g1 = g0 + G < n1 ? g0 + G : n1;
        /* along W: T[h][kw] = sum_w x (cos - i sin), every item and channel block */
        for (Py_ssize_t n = g0; n < g1; n++)
            for (Py_ssize_t cb = 0; cb < C; cb += 32) {
                const vmask m0 = v_mask(C - cb), m1 = v_mask(C - cb - 16);
                vf *Tn = T + ((n - g0) * NCB + cb / 32) * TB;
                for (Py_ssize_t h = 0; h < H; h++) {
                    const float *row = sp + n * sn + h * sh + cb;
                    float *crow = cp ? cp + ((n * H + h) * W) * C + cb : NULL;
                    for (Py_ssize_t j = 0; j < NT; j++) {
                        const float *xa = row + tu[2 * j] * sw;
                        vf a0 = v_load(xa, m0), a1 = v_load(xa + 16, m1);
                        vf *eo = EO + 4 * j;
                        if (crow) {
                            v_store(crow + tu[2 * j] * C, a0, m0);
                            v_store(crow + tu[2 * j] * C + 16, a1, m1);
                        }
                        if (tu[2 * j + 1] >= 0) {
                            const float *xb = row + tu[2 * j + 1] * sw;
                            vf b0 = v_load(xb, m0), b1 = v_load(xb + 16, m1);
                            if (crow) {
                                v_store(crow + tu[2 * j + 1] * C, b0, m0);
                                v_store(crow + tu[2 * j + 1] * C + 16, b1, m1);
                            }
                            eo[0] = v_add(a0, b0); eo[1] = v_add(a1, b1);
                            eo[2] = v_sub(a0, b0); eo[3] = v_sub(a1, b1);
                        } else {
                            eo[0] = eo[2] = a0; eo[1] = eo[3] = a1;
                        }
                    }
                    vf *Th = Tn + 4 * h * Q;
                    Py_ssize_t kw = 0;
                    for (; kw + 4 <= Q; kw += 4) fw_w(4, EO, NT, cw, swt, kw, Th);
                    switch (Q - kw) {
                    case 3: fw_w(3, EO, NT, cw, swt, kw, Th); break;
                    case 2: fw_w(2, EO, NT, cw, swt, kw, Th); break;
                    case 1: fw_w(1, EO, NT, cw, swt, kw, Th); break;
                    }
                }
            }
        /* along H, outputs kh and PH-kh together; frequency-major so that the writes of
         * consecutive items are contiguous */
        for (Py_ssize_t kw = 0; kw < Q; kw++) {
            for (Py_ssize_t kh = 0; kh < NH; kh += 2) {
                for (Py_ssize_t n = g0; n < g1; n++)
                    for (Py_ssize_t cb = 0; cb < C; cb += 32) {
                        const vmask m0 = v_mask(C - cb), m1 = v_mask(C - cb - 16);
                        const vf *Tn = T + ((n - g0) * NCB + cb / 32) * TB;
                        float *dn = dp + n * C + cb;
                        if (kh + 2 <= NH)
                            fw_h(2, Tn, Q, kw, H, chh, shh, kh, PH, dn, ntot, C, mode, m0, m1);
                        else
                            fw_h(1, Tn, Q, kw, H, chh, shh, kh, PH, dn, ntot, C, mode, m0, m1);
                    }
            }
        }
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    free(tw);
    free(T);
    free(EO);
    free(tu);
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    PyBuffer_Release(&cpy);
    return ret;
}

/* =================================================================== inverse DFT */

/* src [f][2][ntot][C] (half spectrum of PH x PW maps); writes rows r0..r0+nr-1, columns
 * c0..c0+nc-1 of the real inverse DFT (with its 1/(PH*PW)) of items n0..n1-1 to
 * dst (item, r, x, c) at item*sn + r*sh + x*sw + c. */
static PyObject *dft_inv(PyObject *self, PyObject *args) {
    Py_buffer src = {0}, dst = {0};
    Py_ssize_t n0, n1, ntot, PH, PW, r0, nr, c0, nc, C, sn, sh, sw;
    if (!PyArg_ParseTuple(args, "y*w*nnnnnnnnnnnnn", &src, &dst, &n0, &n1, &ntot, &PH, &PW,
                          &r0, &nr, &c0, &nc, &C, &sn, &sh, &sw))
        return NULL;
    PyObject *ret = NULL;
    float *tw = NULL;
    vf *V = NULL, *SD = NULL;
    Py_ssize_t *rt = NULL;
    if (n0 < 0 || n1 < n0 || n1 > ntot || PH < 1 || PW < 1 || PH > 4096 || PW > 4096 ||
        r0 < 0 || nr < 1 || r0 + nr > PH || c0 < 0 || nc < 1 || c0 + nc > PW || C < 1 ||
        sn < 0 || sh < 0 || sw < 0)
        BAD("dft_inv: bad sizes");
    const Py_ssize_t Q = PW / 2 + 1, F = PH * Q, NP = (PH - 1) / 2; /* conjugate pairs */
    const int nyq = PH % 2 == 0;
    if (!tw_check_contig(&dst, "dft_inv dst")) goto done;
    if (!span_ok(F * 2 * ntot * C, &src, "dft_inv src")) goto done;
    if (n1 > n0 && !span_ok((n1 - 1) * sn + (nr - 1) * sh + (nc - 1) * sw + C, &dst, "dft_inv dst"))
        goto done;
    /* H twiddles (nr x (NP+2)): [0] unused, pairs j=1..NP, nyquist sign; W twiddles (nc x Q) */
    const Py_ssize_t NCB = (C + 31) / 32, VB = 4 * nr * Q; /* vf per V block */
    /* items per group: their V blocks stay in cache between the two passes, and the
     * column pass reads each frequency's rows for all of them */
    Py_ssize_t G = (256 * 1024) / ((Py_ssize_t)sizeof(vf) * VB * NCB);
    if (G < 1) G = 1;
    if (G > n1 - n0) G = n1 - n0 > 0 ? n1 - n0 : 1;
    tw = malloc(sizeof(float) * (2 * nr * (NP + 1) + nr + 2 * nc * Q));
    V = alloc64(sizeof(vf) * (size_t)(VB * NCB * G));
    SD = alloc64(sizeof(vf) * (size_t)(8 * (NP + 1) + 8));
    rt = malloc(sizeof(Py_ssize_t) * (size_t)(2 * (nr + nc)));
    if (!tw || !V || !SD || !rt) { PyErr_NoMemory(); goto done; }
    /* output terms: a row (column) and its mirror PH - r (PW - x) when the crop holds it */
    Py_ssize_t *xt = rt + 2 * nr, NRT = 0, NXT = 0;
    for (Py_ssize_t r = 0; r < nr; r++) {
        Py_ssize_t p = (PH - (r + r0)) % PH - r0;
        if (p >= 0 && p < nr && p < r) continue;
        rt[2 * NRT] = r;
        rt[2 * NRT + 1] = (p >= 0 && p < nr && p > r) ? p : -1;
        NRT++;
    }
    for (Py_ssize_t x = 0; x < nc; x++) {
        Py_ssize_t p = (PW - (x + c0)) % PW - c0;
        if (p >= 0 && p < nc && p < x) continue;
        xt[2 * NXT] = x;
        xt[2 * NXT + 1] = (p >= 0 && p < nc && p > x) ? p : -1;
        NXT++;
    }
    float *hc = tw, *hs = hc + nr * (NP + 1), *hn = hs + nr * (NP + 1), *wc = hn + nr,
          *ws = wc + nc * Q;
    const double ih = 1.0 / (double)PH, iw = 1.0 / (double)PW;
    for (Py_ssize_t t = 0; t < NRT; t++) {
        Py_ssize_t r = rt[2 * t];
        for (Py_ssize_t j = 1; j <= NP; j++) {
            double c, s;
            twiddle(j, r + r0, PH, &c, &s);
            hc[t * (NP + 1) + j] = (float)(c * ih);
            hs[t * (NP + 1) + j] = (float)(s * ih);
        }
        hn[t] = (float)(((r + r0) % 2 ? -1.0 : 1.0) * ih);
    }
    for (Py_ssize_t t = 0; t < NXT; t++)
        for (Py_ssize_t k = 0; k < Q; k++) {
            Py_ssize_t x = xt[2 * t];
            double c, s, wgt = (k == 0 || (PW % 2 == 0 && k == PW / 2)) ? 1.0 : 2.0;
            twiddle(k, x + c0, PW, &c, &s);
            wc[t * Q + k] = (float)(wgt * c * iw);
            ws[t * Q + k] = (float)(-wgt * s * iw);
        }
    const float *sp = src.buf;
    float *dp = dst.buf;
    const vf vih = v_set1((float)ih);
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t g0 = n0; g0 < n1; g0 += G) {
        const Py_ssize_t g1 = g0 + G < n1 ? g0 + G : n1;
        /* along H: V[r][kw] = 1/PH sum_kh Y[kh][kw] e^{+i 2 pi kh r / PH} */
        for (Py_ssize_t kw = 0; kw < Q; kw++)
            for (Py_ssize_t n = g0; n < g1; n++)
                for (Py_ssize_t cb = 0; cb < C; cb += 32) {
                    const vmask m0 = v_mask(C - cb), m1 = v_mask(C - cb - 16);
                    vf *Vn = V + ((n - g0) * NCB + cb / 32) * VB;
#define YP(kh, p) (sp + (((kh) * Q + kw) * 2 + (p)) * ntot * C + n * C + cb)
                    /* SD[j] = (S re, S im, D re, D im) x 2 vectors for the pair (j, PH-j) */
                    for (Py_ssize_t j = 1; j <= NP; j++) {
                        const float *a = YP(j, 0), *b = YP(PH - j, 0);
                        const float *ai = YP(j, 1), *bi = YP(PH - j, 1);
                        vf ar0 = v_load(a, m0), ar1 = v_load(a + 16, m1);
                        vf br0 = v_load(b, m0), br1 = v_load(b + 16, m1);
                        vf aim0 = v_load(ai, m0), aim1 = v_load(ai + 16, m1);
                        vf bim0 = v_load(bi, m0), bim1 = v_load(bi + 16, m1);
                        vf *sd = SD + 8 * j;
                        sd[0] = v_add(ar0, br0); sd[1] = v_add(ar1, br1);
                        sd[2] = v_add(aim0, bim0); sd[3] = v_add(aim1, bim1);
                        sd[4] = v_sub(ar0, br0); sd[5] = v_sub(ar1, br1);
                        sd[6] = v_sub(aim0, bim0); sd[7] = v_sub(aim1, bim1);
                    }
                    vf Y0[4] = {v_mul(v_load(YP(0, 0), m0), vih), v_mul(v_load(YP(0, 0) + 16, m1), vih),
                                v_mul(v_load(YP(0, 1), m0), vih), v_mul(v_load(YP(0, 1) + 16, m1), vih)};
                    vf YN[4] = {v_zero(), v_zero(), v_zero(), v_zero()};
                    if (nyq) {
                        YN[0] = v_load(YP(PH / 2, 0), m0); YN[1] = v_load(YP(PH / 2, 0) + 16, m1);
                        YN[2] = v_load(YP(PH / 2, 1), m0); YN[3] = v_load(YP(PH / 2, 1) + 16, m1);
                    }
#undef YP
                    Py_ssize_t t = 0;
                    for (; t + 3 <= NRT; t += 3)
                        iv_h(3, SD, NP, hc, hs, hn, nyq, Y0, YN, rt, t, Vn, Q, kw);
                    switch (NRT - t) {
                    case 2: iv_h(2, SD, NP, hc, hs, hn, nyq, Y0, YN, rt, t, Vn, Q, kw); break;
                    case 1: iv_h(1, SD, NP, hc, hs, hn, nyq, Y0, YN, rt, t, Vn, Q, kw); break;
                    }
                }
        /* along W: out[r][x] = sum_kw wc Vre + ws Vim */
        for (Py_ssize_t n = g0; n < g1; n++)
            for (Py_ssize_t cb = 0; cb < C; cb += 32) {
                const vmask m0 = v_mask(C - cb), m1 = v_mask(C - cb - 16);
                const vf *Vn = V + ((n - g0) * NCB + cb / 32) * VB;
                for (Py_ssize_t r = 0; r < nr; r++) {
                    float *orow = dp + n * sn + r * sh + cb;
                    const vf *vr = Vn + 4 * r * Q;
                    Py_ssize_t t = 0;
                    for (; t + 4 <= NXT; t += 4) iv_w(4, vr, Q, wc, ws, xt, t, orow, sw, m0, m1);
                    switch (NXT - t) {
                    case 3: iv_w(3, vr, Q, wc, ws, xt, t, orow, sw, m0, m1); break;
                    case 2: iv_w(2, vr, Q, wc, ws, xt, t, orow, sw, m0, m1); break;
                    case 1: iv_w(1, vr, Q, wc, ws, xt, t, orow, sw, m0, m1); break;
                    }
                }
            }
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    free(tw);
    free(V);
    free(SD);
    free(rt);
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    return ret;
}

/* ============================================================ complex channel mixing */

/* R rows x 32 columns (two vectors, masked) of C = A @ B with 3 real products (Gauss):
 * A planes (re, im, re+im), B planes (re, im-re, re+im) [conjugated B: (re, -im-re, re-im)];
 * t1 = A3 B1, t2 = A1 B2, t3 = A2 B3; C = (t1 - t3) + i (t1 + t2). */
/* FULL: both column vectors complete (unmasked loads) */
#define LD0(p) (FULL ? v_loadu(p) : v_load(p, m0))
#define LD1(p) (FULL ? v_loadu(p) : v_load(p, m1))
ALWAYS_INLINE void cg_tile(int R, int BL, int FULL, const float *a, Py_ssize_t sap, Py_ssize_t sai,
                           Py_ssize_t sak, const float *b, Py_ssize_t sbp, Py_ssize_t ldb,
                           float *c, Py_ssize_t scp, Py_ssize_t ldc, Py_ssize_t K, vmask m0,
                           vmask m1) {
    const float *ap0 = a, *ap1 = a + sap, *ap2 = a + 2 * sap;
    const Py_ssize_t o1 = sai, o2 = 2 * sai, o3 = 3 * sai;
    vf t1[4][2], t2[4][2], t3[4][2];
#pragma GCC unroll 4
    for (int r = 0; r < R; r++)
        t1[r][0] = t1[r][1] = t2[r][0] = t2[r][1] = t3[r][0] = t3[r][1] = v_zero();
    for (Py_ssize_t k = 0; k < K; k++) {
        const float *bk = b + k * ldb;
        /* one B plane at a time keeps 24 accumulators + a few B vectors + 1 broadcast live */
        vf l0 = LD0(bk), l1 = LD1(bk + 16);
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            const Py_ssize_t off = r == 0 ? 0 : r == 1 ? o1 : r == 2 ? o2 : o3;
            vf x = v_set1(ap2[off]);
            t1[r][0] = v_fma(x, l0, t1[r][0]); t1[r][1] = v_fma(x, l1, t1[r][1]);
        }
        /* BL: B given as the plain planes (re, im, re+im) of a conjugated operand, so
         * B2 = -(re+im) (subtracted) and B3 = re - im (formed here) */
        vf b0 = LD0(bk + (BL ? 2 : 1) * sbp), b1 = LD1(bk + (BL ? 2 : 1) * sbp + 16);
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            const Py_ssize_t off = r == 0 ? 0 : r == 1 ? o1 : r == 2 ? o2 : o3;
            vf x = v_set1(ap0[off]);
            if (BL) {
                t2[r][0] = v_fnma(x, b0, t2[r][0]); t2[r][1] = v_fnma(x, b1, t2[r][1]);
            } else {
                t2[r][0] = v_fma(x, b0, t2[r][0]); t2[r][1] = v_fma(x, b1, t2[r][1]);
            }
        }
        if (BL) {
            b0 = v_sub(l0, LD0(bk + sbp)); b1 = v_sub(l1, LD1(bk + sbp + 16));
        } else {
            b0 = LD0(bk + 2 * sbp); b1 = LD1(bk + 2 * sbp + 16);
        }
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            const Py_ssize_t off = r == 0 ? 0 : r == 1 ? o1 : r == 2 ? o2 : o3;
            vf x = v_set1(ap1[off]);
            t3[r][0] = v_fma(x, b0, t3[r][0]); t3[r][1] = v_fma(x, b1, t3[r][1]);
        }
        ap0 += sak; ap1 += sak; ap2 += sak;
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) {
        float *cr = c + r * ldc;
        v_store(cr, v_sub(t1[r][0], t3[r][0]), m0);
        v_store(cr + 16, v_sub(t1[r][1], t3[r][1]), m1);
        v_store(cr + scp, v_add(t1[r][0], t2[r][0]), m0);
        v_store(cr + scp + 16, v_add(t1[r][1], t2[r][1]), m1);
    }
}

#undef LD0
#undef LD1

static void cg_tile_any(int R, int bl, const float *a, Py_ssize_t sap, Py_ssize_t sai,
                        Py_ssize_t sak, const float *b, Py_ssize_t sbp, Py_ssize_t ldb, float *c,
                        Py_ssize_t scp, Py_ssize_t ldc, Py_ssize_t K, vmask m0, vmask m1) {
    const int full = m0 == v_mask(16) && m1 == v_mask(16);
#define CG_CASE(r) case r: \
    if (bl) { \
        if (full) cg_tile(r, 1, 1, a, sap, sai, sak, b, sbp, ldb, c, scp, ldc, K, m0, m1); \
        else cg_tile(r, 1, 0, a, sap, sai, sak, b, sbp, ldb, c, scp, ldc, K, m0, m1); \
    } else { \
        if (full) cg_tile(r, 0, 1, a, sap, sai, sak, b, sbp, ldb, c, scp, ldc, K, m0, m1); \
        else cg_tile(r, 0, 0, a, sap, sai, sak, b, sbp, ldb, c, scp, ldc, K, m0, m1); \
    } \
    break;
    switch (R) {
    CG_CASE(4) CG_CASE(3) CG_CASE(2)
    default: CG_CASE(1)
    }
#undef CG_CASE
}

/* One frequency: C (M x N) = A (M x K) @ B (K x N), tiles of 4 rows x 32 columns. */
static void mix_one(const float *af, Py_ssize_t sa_p, Py_ssize_t sa_i, Py_ssize_t sa_k,
                    const float *bf, Py_ssize_t sb_p, Py_ssize_t ldb, float *cf,
                    Py_ssize_t sc_p, Py_ssize_t ldc, Py_ssize_t M, Py_ssize_t K, Py_ssize_t N,
                    int bl) {
    for (Py_ssize_t j = 0; j < N; j += 32) {
        vmask m0 = v_mask(N - j), m1 = v_mask(N - j - 16);
        for (Py_ssize_t i = 0; i < M; i += 4) {
            int R = (int)(M - i < 4 ? M - i : 4);
            cg_tile_any(R, bl, af + i * sa_i, sa_p, sa_i, sa_k, bf + j, sb_p, ldb,
                        cf + i * ldc + j, sc_p, ldc, K, m0, m1);
        }
    }
}

/* For f in [f0, f1): C_f (M x N) = A_f (M x K) @ B_f (K x N), complex, 3 real products
 * Optional: conjc (store conj(C_f)); bl (B given as the plain planes (re, im, re+im) of an
 * operand that enters conjugated, i.e. A @ conj(X) from X's left-operand planes).
 * A_f plane p at a + f*sa_f + p*sa_p + i*sa_i + k*sa_k (3 planes: re, im, re+im);
 * B_f plane p at b + f*sb_f + p*sb_p + k*ldb + j (3 planes, see cg_tile);
 * C_f re at c + f*sc_f + i*ldc + j, im at + sc_p. */
static PyObject *cgemm(PyObject *self, PyObject *args) {
    Py_buffer A = {0}, B = {0}, Cb = {0};
    Py_ssize_t f0, f1, M, K, N, sa_f, sa_p, sa_i, sa_k, sb_f, sb_p, ldb, sc_f, sc_p, ldc;
    int conjc = 0, bl = 0;
    if (!PyArg_ParseTuple(args, "y*y*w*nnnnnnnnnnnnnnn|pp", &A, &B, &Cb, &f0, &f1, &M, &K, &N,
                          &sa_f, &sa_p, &sa_i, &sa_k, &sb_f, &sb_p, &ldb, &sc_f, &sc_p, &ldc,
                          &conjc, &bl))
        return NULL;
    PyObject *ret = NULL;
    if (f0 < 0 || f1 < f0 || M < 1 || K < 1 || N < 1 || sa_f < 0 || sa_p < 0 || sa_i < 0 ||
        sa_k < 0 || sb_f < 0 || sb_p < 0 || ldb < 0 || sc_f < 0 || sc_p < 0 || ldc < 0)
        BAD("cgemm: bad sizes");
    if (!tw_check_contig(&Cb, "cgemm C")) goto done;
    if (f1 > f0) {
        if (!span_ok((f1 - 1) * sa_f + 2 * sa_p + (M - 1) * sa_i + (K - 1) * sa_k + 1, &A,
                     "cgemm A") ||
            !span_ok((f1 - 1) * sb_f + 2 * sb_p + (K - 1) * ldb + N, &B, "cgemm B") ||
            !span_ok((f1 - 1) * sc_f + sc_p + (M - 1) * ldc + N, &Cb, "cgemm C"))
            goto done;
    }
    const float *ap = A.buf, *bp = B.buf;
    float *cp = Cb.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t f = f0; f < f1; f++) {
        mix_one(ap + f * sa_f, sa_p, sa_i, sa_k, bp + f * sb_f, sb_p, ldb, cp + f * sc_f, sc_p,
                ldc, M, K, N, bl);
        if (conjc) /* store conj(C_f): negate the imaginary plane */
            for (Py_ssize_t i = 0; i < M; i++) {
                float *ci = cp + f * sc_f + sc_p + i * ldc;
                for (Py_ssize_t j = 0; j < N; j += 16) {
                    vmask mk = v_mask(N - j);
                    v_store(ci + j, v_sub(v_zero(), v_load(ci + j, mk)), mk);
                }
            }
    }
    Py_END_ALLOW_THREADS

    ret = Py_None;
    Py_INCREF(ret);
done:
    PyBuffer_Release(&A);
    PyBuffer_Release(&B);
    PyBuffer_Release(&Cb);
    return ret;
}

/* filter_rows(w, t1, i0, i1, KH, KW, K, N, PW): the DFT along W of a filter (KH, KW, K, N)
 * (contiguous), rows i0..i1-1 of its K axis: t1 [kw][y][re/im][K][N], Q = PW/2+1. */
static PyObject *filter_rows(PyObject *self, PyObject *args) {
    Py_buffer Wb = {0}, Tb = {0};
    Py_ssize_t i0, i1, KH, KW, K, N, PW;
    if (!PyArg_ParseTuple(args, "y*w*nnnnnnn", &Wb, &Tb, &i0, &i1, &KH, &KW, &K, &N, &PW))
        return NULL;
    PyObject *ret = NULL;
    float *tw = NULL;
    if (KH < 1 || KW < 1 || K < 1 || N < 1 || PW < KW || PW > 4096 || i0 < 0 || i1 < i0 ||
        i1 > K)
        BAD("filter_rows: bad sizes");
    const Py_ssize_t Q = PW / 2 + 1;
    if (!tw_check_contig(&Tb, "filter_rows t1") ||
        !span_ok(KH * KW * K * N, &Wb, "filter_rows w") ||
        !span_ok(Q * KH * 2 * K * N, &Tb, "filter_rows t1"))
        goto done;
    tw = malloc(sizeof(float) * (size_t)(2 * Q * KW));
    if (!tw) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t k = 0; k < Q; k++)
        for (Py_ssize_t x = 0; x < KW; x++) {
            double c, s;
            twiddle(k, x, PW, &c, &s);
            tw[2 * (k * KW + x)] = (float)c;
            tw[2 * (k * KW + x) + 1] = (float)s;
        }
    const float *wp = Wb.buf;
    float *tp = Tb.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t y = 0; y < KH; y++)
        for (Py_ssize_t i = i0; i < i1; i++)
            for (Py_ssize_t j = 0; j < N; j += 16) {
                vmask m = v_mask(N - j);
                vf xv[64];
                Py_ssize_t nx = KW < 64 ? KW : 64;
                for (Py_ssize_t x = 0; x < nx; x++)
                    xv[x] = v_load(wp + ((y * KW + x) * K + i) * N + j, m);
                for (Py_ssize_t kw = 0; kw < Q; kw++) {
                    vf re = v_zero(), im = v_zero();
                    for (Py_ssize_t x = 0; x < KW; x++) {
                        vf a = x < 64 ? xv[x] : v_load(wp + ((y * KW + x) * K + i) * N + j, m);
                        re = v_fma(a, v_set1(tw[2 * (kw * KW + x)]), re);
                        im = v_fnma(a, v_set1(tw[2 * (kw * KW + x) + 1]), im);
                    }
                    float *o = tp + (((kw * KH + y) * 2) * K + i) * N + j;
                    v_store(o, re, m);
                    v_store(o + K * N, im, m);
                }
            }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    free(tw);
    PyBuffer_Release(&Wb);
    PyBuffer_Release(&Tb);
    return ret;
}

/* cgemm_wf(A, t1, C, p0, p1, M, K, N, sa_f, sa_p, sa_i, sa_k, sc_f, sc_p, ldc, PH, PW, KH,
 * conj): cgemm whose right operand, the filter spectrum, is made one frequency pair at a time
 * from filter_rows' t1 (the DFT along H, then the planes of store_planes mode 2, or 3 with
 * conj): the F x K x N spectrum never goes through memory.  p0..p1-1 index the frequency
 * pairs (kh, kw), kh <= PH/2, each with its mirror (PH-kh, kw) when that differs. */
static PyObject *cgemm_wf(PyObject *self, PyObject *args) {
    Py_buffer A = {0}, Tb = {0}, Cb = {0};
    Py_ssize_t f0, f1, M, K, N, sa_f, sa_p, sa_i, sa_k, sc_f, sc_p, ldc, PH, PW, KH;
    int conj;
    if (!PyArg_ParseTuple(args, "y*y*w*nnnnnnnnnnnnnnnp", &A, &Tb, &Cb, &f0, &f1, &M, &K, &N,
                          &sa_f, &sa_p, &sa_i, &sa_k, &sc_f, &sc_p, &ldc, &PH, &PW, &KH, &conj))
        return NULL;
    PyObject *ret = NULL;
    float *bf = NULL, *tw = NULL;
    if (f0 < 0 || f1 < f0 || M < 1 || K < 1 || N < 1 || sa_f < 0 || sa_p < 0 || sa_i < 0 ||
        sa_k < 0 || sc_f < 0 || sc_p < 0 || ldc < 0 || PH < KH || KH < 1 || PW < 1 ||
        PH > 4096 || PW > 4096)
        BAD("cgemm_wf: bad sizes");
    const Py_ssize_t Q = PW / 2 + 1, NH = PH / 2 + 1;
    /* work items are frequency pairs p = kh*Q + kw, kh <= PH/2: f = kh*Q + kw and its mirror
     * (PH-kh)*Q + kw share the sums over the filter rows */
    if (f1 > NH * Q) BAD("cgemm_wf: frequency pair range past the spectrum");
    if (!tw_check_contig(&Cb, "cgemm_wf C")) goto done;
    if (!span_ok(Q * KH * 2 * K * N, &Tb, "cgemm_wf t1")) goto done;
    if (f1 > f0) { /* the largest frequency any pair touches */
        Py_ssize_t fmax = 0;
        for (Py_ssize_t p = f0; p < f1; p++) {
            Py_ssize_t kh = p / Q, kw = p % Q, km = (PH - kh) % PH;
            Py_ssize_t fa = kh * Q + kw, fb = km * Q + kw;
            if (fa > fmax) fmax = fa;
            if (fb > fmax) fmax = fb;
        }
        if (!span_ok(fmax * sa_f + 2 * sa_p + (M - 1) * sa_i + (K - 1) * sa_k + 1, &A,
                     "cgemm_wf A") ||
            !span_ok(fmax * sc_f + sc_p + (M - 1) * ldc + N, &Cb, "cgemm_wf C"))
            goto done;
    }
    bf = alloc64(sizeof(float) * (size_t)(6 * K * N + 32));
    tw = malloc(sizeof(float) * (size_t)(2 * PH * KH));
    if (!bf || !tw) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t k = 0; k < PH; k++)
        for (Py_ssize_t y = 0; y < KH; y++) {
            double c, s;
            twiddle(k, y, PH, &c, &s);
            tw[2 * (k * KH + y)] = (float)c;
            tw[2 * (k * KH + y) + 1] = (float)s;
        }
    const float *ap = A.buf, *tp = Tb.buf;
    float *cp = Cb.buf;
    const Py_ssize_t KN = K * N;
    Py_BEGIN_ALLOW_THREADS
    float *bf2 = bf + 3 * KN + 16; /* the mirror frequency's planes */
    for (Py_ssize_t p = f0; p < f1; p++) {
        const Py_ssize_t kh = p / Q, kw = p % Q, km = (PH - kh) % PH;
        const int mirror = km != kh;
        const float *t = tp + kw * KH * 2 * KN, *c_ = tw + 2 * kh * KH;
        /* B_f = sum_y t1[kw][y] e^{-2 pi i kh y / PH}, with t1 = a + ib and e = c - is:
         * P = sum ac, Qs = sum bs, R = sum bc, S = sum as give
         * B_kh = (P + Qs) + i(R - S) and its mirror B_(PH-kh) = (P - Qs) + i(R + S) */
        for (Py_ssize_t e = 0; e < KN; e += 32) {
            vmask m0 = v_mask(KN - e), m1 = v_mask(KN - e - 16);
            vf P0 = v_zero(), P1 = v_zero(), Q0 = v_zero(), Q1 = v_zero();
            vf R0 = v_zero(), R1 = v_zero(), S0 = v_zero(), S1 = v_zero();
            for (Py_ssize_t y = 0; y < KH; y++) {
                const float *ty = t + y * 2 * KN + e;
                vf a0, a1, b0, b1;
                if (KN - e >= 32) { /* unmasked loads (masked ones cost an extra uop) */
                    a0 = v_loadu(ty); a1 = v_loadu(ty + 16);
                    b0 = v_loadu(ty + KN); b1 = v_loadu(ty + KN + 16);
                } else {
                    a0 = v_load(ty, m0); a1 = v_load(ty + 16, m1);
                    b0 = v_load(ty + KN, m0); b1 = v_load(ty + KN + 16, m1);
                }
                vf c = v_set1(c_[2 * y]), s = v_set1(c_[2 * y + 1]);
                P0 = v_fma(a0, c, P0); P1 = v_fma(a1, c, P1);
                Q0 = v_fma(b0, s, Q0); Q1 = v_fma(b1, s, Q1);
                R0 = v_fma(b0, c, R0); R1 = v_fma(b1, c, R1);
                S0 = v_fma(a0, s, S0); S1 = v_fma(a1, s, S1);
            }
            store_planes(bf + e, KN, conj ? 3 : 2, v_add(P0, Q0), v_add(P1, Q1), v_sub(R0, S0),
                         v_sub(R1, S1), m0, m1);
            if (mirror)
                store_planes(bf2 + e, KN, conj ? 3 : 2, v_sub(P0, Q0), v_sub(P1, Q1),
                             v_add(R0, S0), v_add(R1, S1), m0, m1);
        }
        const Py_ssize_t fa = kh * Q + kw, fb = km * Q + kw;
        mix_one(ap + fa * sa_f, sa_p, sa_i, sa_k, bf, KN, N, cp + fa * sc_f, sc_p, ldc, M, K, N,
                0);
        if (mirror)
            mix_one(ap + fb * sa_f, sa_p, sa_i, sa_k, bf2, KN, N, cp + fb * sc_f, sc_p, ldc, M, K,
                    N, 0);
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    free(bf);
    free(tw);
    PyBuffer_Release(&A);
    PyBuffer_Release(&Tb);
    PyBuffer_Release(&Cb);
    return ret;
}

/* ========================================================== direct (few channels) */

typedef struct {
    Py_ssize_t N, H, W, C, O, KH, KW, OH, OW, pt, pl, sh, sw, dh, dw;
    Py_ssize_t PHn, PWn; /* extent of the padded image scratch */
} dgeom;

static int dgeom_check(dgeom *g) {
    if (g->N < 0 || g->H < 0 || g->W < 0 || g->C < 1 || g->O < 1 || g->KH < 1 || g->KW < 1 ||
        g->OH < 1 || g->OW < 1 || g->pt < 0 || g->pl < 0 || g->sh < 1 || g->sw < 1 ||
        g->dh < 1 || g->dw < 1 || g->H > (1 << 20) || g->W > (1 << 20) || g->KH > 4096 ||
        g->KW > 4096 || g->OH > (1 << 20) || g->OW > (1 << 20) || g->C > (1 << 20)) {
        PyErr_SetString(PyExc_ValueError, "direct conv: bad sizes");
        return 0;
    }
    g->PHn = (g->OH - 1) * g->sh + (g->KH - 1) * g->dh + 1;
    g->PWn = (g->OW - 1) * g->sw + (g->KW - 1) * g->dw + 1;
    if ((double)g->PHn * (double)g->PWn * (double)g->C > 1e9) {
        PyErr_SetString(PyExc_ValueError, "direct conv: image too large");
        return 0;
    }
    return 1;
}

/* Zero-padded copy of image n into xp (PHn x PWn x C). */
static void pad_image(const dgeom *g, const float *x, Py_ssize_t n, float *xp) {
    const Py_ssize_t C = g->C;
    for (Py_ssize_t y = 0; y < g->PHn; y++) {
        Py_ssize_t iy = y - g->pt;
        float *row = xp + y * g->PWn * C;
        if (iy < 0 || iy >= g->H) {
            memset(row, 0, sizeof(float) * g->PWn * C);
            continue;
        }
        const float *src = x + ((n * g->H + iy) * g->W) * C;
        Py_ssize_t lo = g->pl, hi = g->pl + g->W; /* columns of the padded row with data */
        if (hi > g->PWn) hi = g->PWn;
        if (lo > g->PWn) lo = g->PWn;
        memset(row, 0, sizeof(float) * lo * C);
        if (hi > lo) memcpy(row + lo * C, src, sizeof(float) * (hi - lo) * C);
        if (g->PWn > hi) memset(row + hi * C, 0, sizeof(float) * (g->PWn - hi) * C);
    }
}

/* R output pixels x 32 output channels: xq points at the first pixel's window origin in the
 * padded image, pixels are xs floats apart (xs == 1 when UNIT); tap t reads xq[xo[t]] with
 * filter row wp + t*O. */
ALWAYS_INLINE void dfwd_tile(int R, int UNIT, int FULL, const float *xq, Py_ssize_t xs,
                             const Py_ssize_t *xo, Py_ssize_t T, const float *wp, Py_ssize_t O,
                             float *op, vmask m0, vmask m1) {
    vf a[12][2];
#pragma GCC unroll 12
    for (int r = 0; r < R; r++) a[r][0] = a[r][1] = v_zero();
    for (Py_ssize_t t = 0; t < T; t++) {
        vf w0 = FULL ? v_loadu(wp + t * O) : v_load(wp + t * O, m0);
        vf w1 = FULL ? v_loadu(wp + t * O + 16) : v_load(wp + t * O + 16, m1);
        const float *xt = xq + xo[t];
#pragma GCC unroll 12
        for (int r = 0; r < R; r++) {
            vf xv = v_set1(xt[UNIT ? r : r * xs]);
            a[r][0] = v_fma(xv, w0, a[r][0]);
            a[r][1] = v_fma(xv, w1, a[r][1]);
        }
    }
#pragma GCC unroll 12
    for (int r = 0; r < R; r++) {
        v_store(op + r * O, a[r][0], m0);
        v_store(op + r * O + 16, a[r][1], m1);
    }
}

static void dfwd_tile_any(int R, const float *xq, Py_ssize_t xs, const Py_ssize_t *xo,
                          Py_ssize_t T, const float *wp, Py_ssize_t O, float *op, vmask m0,
                          vmask m1) {
    if (xs == 1 && m0 == v_mask(16) && m1 == v_mask(16)) { /* the common case, unmasked */
        switch (R) {
#define DC(r) case r: dfwd_tile(r, 1, 1, xq, xs, xo, T, wp, O, op, m0, m1); break;
        DC(12) DC(11) DC(10) DC(9) DC(8) DC(7) DC(6) DC(5) DC(4) DC(3) DC(2)
        default: dfwd_tile(1, 1, 1, xq, xs, xo, T, wp, O, op, m0, m1); break;
#undef DC
        }
    } else if (xs == 1) {
        switch (R) {
#define DC(r) case r: dfwd_tile(r, 1, 0, xq, xs, xo, T, wp, O, op, m0, m1); break;
        DC(12) DC(11) DC(10) DC(9) DC(8) DC(7) DC(6) DC(5) DC(4) DC(3) DC(2)
        default: dfwd_tile(1, 1, 0, xq, xs, xo, T, wp, O, op, m0, m1); break;
#undef DC
        }
    } else {
        switch (R) {
#define DC(r) case r: dfwd_tile(r, 0, 0, xq, xs, xo, T, wp, O, op, m0, m1); break;
        DC(12) DC(11) DC(10) DC(9) DC(8) DC(7) DC(6) DC(5) DC(4) DC(3) DC(2)
        default: dfwd_tile(1, 0, 0, xq, xs, xo, T, wp, O, op, m0, m1); break;
#undef DC
        }
    }
}

/* Offsets in the padded image (relative to a pixel's window origin) of the taps
 * t = (ky*KW + kx)*C + ci; malloc'd, NULL when out of memory. */
static Py_ssize_t *tap_offsets(const dgeom *g) {
    Py_ssize_t T = g->KH * g->KW * g->C, *xo = malloc(sizeof(Py_ssize_t) * (size_t)T);
    if (!xo) return NULL;
    for (Py_ssize_t t = 0; t < T; t++) {
        Py_ssize_t ci = t % g->C, kx = (t / g->C) % g->KW, ky = t / (g->C * g->KW);
        xo[t] = ky * g->dh * g->PWn * g->C + kx * g->dw * g->C + ci;
    }
    return xo;
}

#define DGEOM_FMT "nnnnnnnnnnnnnnn"
#define DGEOM_ARGS(g) &g.N, &g.H, &g.W, &g.C, &g.O, &g.KH, &g.KW, &g.OH, &g.OW, &g.pt, &g.pl, \
    &g.sh, &g.sw, &g.dh, &g.dw

/* direct_fwd(x, w, out, n0, n1, N, H, W, C, O, KH, KW, OH, OW, pad_top, pad_left, sh, sw,
 * dh, dw): contiguous x (N,H,W,C), w (KH,KW,C,O), out (N,OH,OW,O); items n0..n1-1. */
static PyObject *direct_fwd(PyObject *self, PyObject *args) {
    Py_buffer X = {0}, Wt = {0}, Out = {0};
    Py_ssize_t n0, n1;
    dgeom g;
    if (!PyArg_ParseTuple(args, "y*y*w*nn" DGEOM_FMT, &X, &Wt, &Out, &n0, &n1, DGEOM_ARGS(g)))
        return NULL;
    PyObject *ret = NULL;
    float *xp = NULL;
    Py_ssize_t *xo = NULL;
    if (!dgeom_check(&g)) goto done;
    if (n0 < 0 || n1 < n0 || n1 > g.N) BAD("direct_fwd: bad item range");
    if (!tw_check_contig(&Out, "direct_fwd out") ||
        !span_ok(g.N * g.H * g.W * g.C, &X, "direct_fwd x") ||
        !span_ok(g.KH * g.KW * g.C * g.O, &Wt, "direct_fwd w") ||
        !span_ok(g.N * g.OH * g.OW * g.O, &Out, "direct_fwd out"))
        goto done;
    xp = malloc(sizeof(float) * (size_t)(g.PHn * g.PWn * g.C));
    xo = tap_offsets(&g);
    if (!xp || !xo) { PyErr_NoMemory(); goto done; }
    const float *x = X.buf, *w = Wt.buf;
    float *out = Out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t n = n0; n < n1; n++) {
        pad_image(&g, x, n, xp);
        float *on = out + n * g.OH * g.OW * g.O;
        const Py_ssize_t xs = g.sw * g.C, T = g.KH * g.KW * g.C;
        /* split each row into near-equal tiles of at most 12 pixels */
        Py_ssize_t nt = (g.OW + 11) / 12, base = g.OW / nt, extra = g.OW % nt;
        for (Py_ssize_t oy = 0; oy < g.OH; oy++)
            for (Py_ssize_t ob = 0; ob < g.O; ob += 32) {
                vmask m0 = v_mask(g.O - ob), m1 = v_mask(g.O - ob - 16);
                Py_ssize_t ox = 0;
                for (Py_ssize_t t = 0; t < nt; t++) {
                    int R = (int)(base + (t < extra));
                    dfwd_tile_any(R, xp + oy * g.sh * g.PWn * g.C + ox * xs, xs, xo, T,
                                  w + ob, g.O, on + (oy * g.OW + ox) * g.O + ob, m0, m1);
                    ox += R;
                }
            }
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    free(xo);
    free(xp);
    PyBuffer_Release(&X);
    PyBuffer_Release(&Wt);
    PyBuffer_Release(&Out);
    return ret;
}

/* TG taps x 32 output channels of the filter gradient over one image, added into dw. */
ALWAYS_INLINE void dbf_tile(int TG, const dgeom *g, const float *xp, const float *dyn,
                            const Py_ssize_t *toff, float *const *dwrow, Py_ssize_t ob,
                            vmask m0, vmask m1) {
    const Py_ssize_t C = g->C, O = g->O, rs = g->PWn * C;
    vf a[12][2];
#pragma GCC unroll 12
    for (int t = 0; t < TG; t++)
        a[t][0] = a[t][1] = v_zero();
    for (Py_ssize_t oy = 0; oy < g->OH; oy++) {
        const float *xrow = xp + oy * g->sh * rs;
        const float *drow = dyn + oy * g->OW * O + ob;
        for (Py_ssize_t ox = 0; ox < g->OW; ox++) {
            vf d0 = v_load(drow + ox * O, m0), d1 = v_load(drow + ox * O + 16, m1);
            const float *xq = xrow + ox * g->sw * C;
            #pragma GCC unroll 12
                for (int t = 0; t < TG; t++) {
                vf xv = v_set1(xq[toff[t]]);
                a[t][0] = v_fma(xv, d0, a[t][0]);
                a[t][1] = v_fma(xv, d1, a[t][1]);
            }
        }
    }
#pragma GCC unroll 12
    for (int t = 0; t < TG; t++) {
        float *p = dwrow[t] + ob;
        v_store(p, v_add(v_load(p, m0), a[t][0]), m0);
        v_store(p + 16, v_add(v_load(p + 16, m1), a[t][1]), m1);
    }
}

static void dbf_tile_any(int TG, const dgeom *g, const float *xp, const float *dyn,
                         const Py_ssize_t *toff, float *const *dwrow, Py_ssize_t ob, vmask m0,
                         vmask m1) {
    switch (TG) {
#define DC(r) case r: dbf_tile(r, g, xp, dyn, toff, dwrow, ob, m0, m1); break;
    DC(12) DC(11) DC(10) DC(9) DC(8) DC(7) DC(6) DC(5) DC(4) DC(3) DC(2)
    default: dbf_tile(1, g, xp, dyn, toff, dwrow, ob, m0, m1); break;
#undef DC
    }
}

/* One input channel: NR filter rows (ky0, ky0+1) x KWC taps each, 32 output channels, one
 * image, added into dw.  Tap (j, kx) of a pixel reads xq[roff[j] + kx*kxs] (kxs == 1 when
 * UNIT: constant displacements, no offset table in the inner loop). */
ALWAYS_INLINE void dbf_rows(int NR, int KWC, int UNIT, int FULL, const dgeom *g, const float *xp,
                            const float *dyn, Py_ssize_t ky0, float *dw, Py_ssize_t ob,
                            vmask m0, vmask m1) {
    const Py_ssize_t O = g->O, rs = g->PWn, xs = g->sw, kxs = g->dw, OW = g->OW;
    const Py_ssize_t r1 = g->dh * rs; /* second row's offset */
    vf a[2][6][2];
#pragma GCC unroll 2
    for (int j = 0; j < NR; j++)
#pragma GCC unroll 6
        for (int k = 0; k < KWC; k++) a[j][k][0] = a[j][k][1] = v_zero();
    for (Py_ssize_t oy = 0; oy < g->OH; oy++) {
        const float *xrow = xp + (oy * g->sh + ky0 * g->dh) * rs;
        const float *drow = dyn + oy * OW * O + ob;
        for (Py_ssize_t ox = 0; ox < OW; ox++) {
            vf d0 = FULL ? v_loadu(drow + ox * O) : v_load(drow + ox * O, m0);
            vf d1 = FULL ? v_loadu(drow + ox * O + 16) : v_load(drow + ox * O + 16, m1);
            const float *xq = xrow + ox * xs;
#pragma GCC unroll 2
            for (int j = 0; j < NR; j++) {
                const float *xr = xq + (j ? r1 : 0);
#pragma GCC unroll 6
                for (int k = 0; k < KWC; k++) {
                    vf xv = v_set1(xr[UNIT ? k : k * kxs]);
                    a[j][k][0] = v_fma(xv, d0, a[j][k][0]);
                    a[j][k][1] = v_fma(xv, d1, a[j][k][1]);
                }
            }
        }
    }
#pragma GCC unroll 2
    for (int j = 0; j < NR; j++)
#pragma GCC unroll 6
        for (int k = 0; k < KWC; k++) {
            float *p = dw + ((ky0 + j) * KWC + k) * O + ob;
            v_store(p, v_add(v_load(p, m0), a[j][k][0]), m0);
            v_store(p + 16, v_add(v_load(p + 16, m1), a[j][k][1]), m1);
        }
}

static void dbf_rows_any(int NR, const dgeom *g, const float *xp, const float *dyn,
                         Py_ssize_t ky0, float *dw, Py_ssize_t ob, vmask m0, vmask m1) {
    const int unit = g->dw == 1, full = m0 == v_mask(16) && m1 == v_mask(16);
#define DR(nr, kw) \
    if (unit && full) dbf_rows(nr, kw, 1, 1, g, xp, dyn, ky0, dw, ob, m0, m1); \
    else if (unit) dbf_rows(nr, kw, 1, 0, g, xp, dyn, ky0, dw, ob, m0, m1); \
    else dbf_rows(nr, kw, 0, 0, g, xp, dyn, ky0, dw, ob, m0, m1);
#define DK(nr) switch (g->KW) { \
    case 1: DR(nr, 1) break; case 2: DR(nr, 2) break; case 3: DR(nr, 3) break; \
    case 4: DR(nr, 4) break; case 5: DR(nr, 5) break; default: DR(nr, 6) break; }
    if (NR == 2) { DK(2) } else { DK(1) }
#undef DK
#undef DR
}

/* direct_bwd_filter(x, dy, dw, t0, t1, n0, n1, <geometry>): rows t0..t1-1 of dw
 * (KH*KW*C, O), the row index being (ky*KW + kx)*C + ci, summed over images n0..n1-1 in
 * batch order (per-image sums in registers), so a row's value does not depend on how the rows
 * are split. */
static PyObject *direct_bwd_filter(PyObject *self, PyObject *args) {
    Py_buffer X = {0}, DY = {0}, DW = {0};
    Py_ssize_t t0, t1, n0, n1;
    dgeom g;
    if (!PyArg_ParseTuple(args, "y*y*w*nnnn" DGEOM_FMT, &X, &DY, &DW, &t0, &t1, &n0, &n1,
                          DGEOM_ARGS(g)))
        return NULL;
    PyObject *ret = NULL;
    float *xp = NULL;
    if (!dgeom_check(&g)) goto done;
    const Py_ssize_t T = g.KH * g.KW * g.C;
    if (t0 < 0 || t1 < t0 || t1 > T) BAD("direct_bwd_filter: bad tap range");
    if (n0 < 0 || n1 < n0 || n1 > g.N) BAD("direct_bwd_filter: bad item range");
    if (!tw_check_contig(&DW, "direct_bwd_filter dw") ||
        !span_ok(g.N * g.H * g.W * g.C, &X, "direct_bwd_filter x") ||
        !span_ok(g.N * g.OH * g.OW * g.O, &DY, "direct_bwd_filter dy") ||
        !span_ok(T * g.O, &DW, "direct_bwd_filter dw"))
        goto done;
    xp = malloc(sizeof(float) * (size_t)(g.PHn * g.PWn * g.C));
    if (!xp) { PyErr_NoMemory(); goto done; }
    const float *x = X.buf, *dy = DY.buf;
    float *dw = DW.buf;
    Py_BEGIN_ALLOW_THREADS
    memset(dw + t0 * g.O, 0, sizeof(float) * (t1 - t0) * g.O);
    const Py_ssize_t cnt = t1 - t0;
    const Py_ssize_t ng = cnt > 0 ? (cnt + 11) / 12 : 0;
    /* one input channel, whole filter rows, at most 6 taps a row: the row kernel */
    const int rows = g.C == 1 && g.KW <= 6 && t0 % g.KW == 0 && t1 % g.KW == 0;
    for (Py_ssize_t n = n0; n < n1 && cnt > 0; n++) {
        pad_image(&g, x, n, xp);
        const float *dyn = dy + n * g.OH * g.OW * g.O;
        if (rows) {
            for (Py_ssize_t ky = t0 / g.KW; ky < t1 / g.KW; ky += 2) {
                int nr = ky + 2 <= t1 / g.KW ? 2 : 1;
                for (Py_ssize_t ob = 0; ob < g.O; ob += 32)
                    dbf_rows_any(nr, &g, xp, dyn, ky, dw, ob, v_mask(g.O - ob),
                                 v_mask(g.O - ob - 16));
            }
            continue;
        }
        Py_ssize_t t = t0;
        for (Py_ssize_t gi = 0; gi < ng; gi++) {
            int TG = (int)(cnt / ng + (gi < cnt % ng));
            Py_ssize_t toff[12];
            float *dwrow[12];
            for (int k = 0; k < TG; k++) {
                Py_ssize_t tt = t + k, ci = tt % g.C, kx = (tt / g.C) % g.KW, ky = tt / (g.C * g.KW);
                toff[k] = ky * g.dh * g.PWn * g.C + kx * g.dw * g.C + ci;
                dwrow[k] = dw + tt * g.O;
            }
            for (Py_ssize_t ob = 0; ob < g.O; ob += 32)
                dbf_tile_any(TG, &g, xp, dyn, toff, dwrow, ob, v_mask(g.O - ob),
                             v_mask(g.O - ob - 16));
            t += TG;
        }
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    free(xp);
    PyBuffer_Release(&X);
    PyBuffer_Release(&DY);
    PyBuffer_Release(&DW);
    return ret;
}

/* same(a, b): True when the two buffers hold the same bytes (a cache check). */
static PyObject *same(PyObject *self, PyObject *args) {
    Py_buffer A = {0}, B = {0};
    if (!PyArg_ParseTuple(args, "y*y*", &A, &B)) return NULL;
    int eq = A.len == B.len;
    if (eq && A.len > 0) {
        Py_BEGIN_ALLOW_THREADS
        eq = memcmp(A.buf, B.buf, (size_t)A.len) == 0;
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&A);
    PyBuffer_Release(&B);
    return PyBool_FromLong(eq);
}

static PyObject *isa(PyObject *self, PyObject *noargs) {
#ifdef __AVX512F__
    return PyUnicode_FromString("avx512f");
#else
    return PyUnicode_FromString("generic");
#endif
}

static PyMethodDef methods[] = {
    {"dft_fwd", dft_fwd, METH_VARARGS, "Forward half-spectrum 2-D DFT over a range of maps."},
    {"dft_inv", dft_inv, METH_VARARGS, "Cropped inverse 2-D DFT over a range of maps."},
    {"cgemm", cgemm, METH_VARARGS, "Per-frequency complex matmuls over a frequency range."},
    {"cgemm_wf", cgemm_wf, METH_VARARGS,
     "Per-frequency complex matmuls with the filter spectrum made on the fly."},
    {"filter_rows", filter_rows, METH_VARARGS, "DFT along W of a filter's rows."},
    {"direct_fwd", direct_fwd, METH_VARARGS, "Direct NHWC convolution over a batch range."},
    {"direct_bwd_filter", direct_bwd_filter, METH_VARARGS,
     "Direct NHWC filter gradient over a range of filter rows."},
    {"same", same, METH_VARARGS, "Whether two buffers hold the same bytes."},
    {"isa", isa, METH_NOARGS, "Vector instruction set compiled for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_conv", NULL, -1, methods};

PyMODINIT_FUNC PyInit__conv(void) { return PyModule_Create(&module); }
