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

/* =================================================================== forward DFT */

/* src (item, h, w, c) at item*sn + h*sh + w*sw + c, c < C; the map is placed at (offh, offw)
 * of a PH x PW zero frame.  dst [f][2][ntot][C], f = kh*Q + kw, Q = PW/2+1. */
static PyObject *dft_fwd(PyObject *self, PyObject *args) {
    Py_buffer src = {0}, dst = {0};
    Py_ssize_t n0, n1, ntot, H, W, C, sn, sh, sw, PH, PW, offh, offw;
    if (!PyArg_ParseTuple(args, "y*w*nnnnnnnnnnnnn", &src, &dst, &n0, &n1, &ntot, &H, &W, &C,
                          &sn, &sh, &sw, &PH, &PW, &offh, &offw))
        return NULL;
    PyObject *ret = NULL;
    float *tw = NULL;
    vf *T = NULL;
    if (n0 < 0 || n1 < n0 || n1 > ntot || H < 1 || W < 1 || C < 1 || sn < 0 || sh < 0 ||
        sw < 0 || offh < 0 || offw < 0 || PH < H + offh || PW < W + offw || PH > 4096 ||
        PW > 4096)
        BAD("dft_fwd: bad sizes");
    const Py_ssize_t Q = PW / 2 + 1, F = PH * Q;
    if (!tw_check_contig(&dst, "dft_fwd dst")) goto done;
    if (n1 > n0 && !span_ok((n1 - 1) * sn + (H - 1) * sh + (W - 1) * sw + C, &src, "dft_fwd src"))
        goto done;
    if (!span_ok(F * 2 * ntot * C, &dst, "dft_fwd dst")) goto done;
    const Py_ssize_t NH = PH / 2 + 1;
    /* twiddles: cw/sw_ (Q x W), ch/sh_ (NH x H) */
    tw = malloc(sizeof(float) * (2 * Q * W + 2 * NH * H));
    T = aligned_alloc(64, sizeof(vf) * (size_t)(4 * H * Q));
    if (!tw || !T) { PyErr_NoMemory(); goto done; }
    float *cw = tw, *swt = tw + Q * W, *chh = tw + 2 * Q * W, *shh = chh + NH * H;
    for (Py_ssize_t k = 0; k < Q; k++)
        for (Py_ssize_t x = 0; x < W; x++) {
            double c, s;
            twiddle(k, x + offw, PW, &c, &s);
            cw[k * W + x] = (float)c;
            swt[k * W + x] = (float)s;
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
    for (Py_ssize_t n = n0; n < n1; n++) {
        for (Py_ssize_t cb = 0; cb < C; cb += 32) {
            const vmask m0 = v_mask(C - cb), m1 = v_mask(C - cb - 16);
            /* along W: T[h][kw] = sum_w x (cos - i sin) */
            for (Py_ssize_t h = 0; h < H; h++) {
                const float *row = sp + n * sn + h * sh + cb;
                Py_ssize_t kw = 0;
                for (; kw + 2 <= Q; kw += 2) {
                    vf r00 = v_zero(), r01 = v_zero(), i00 = v_zero(), i01 = v_zero();
                    vf r10 = v_zero(), r11 = v_zero(), i10 = v_zero(), i11 = v_zero();
                    for (Py_ssize_t x = 0; x < W; x++) {
                        vf a0 = v_load(row + x * sw, m0), a1 = v_load(row + x * sw + 16, m1);
                        vf c0 = v_set1(cw[kw * W + x]), s0 = v_set1(swt[kw * W + x]);
                        vf c1 = v_set1(cw[(kw + 1) * W + x]), s1 = v_set1(swt[(kw + 1) * W + x]);
                        r00 = v_fma(a0, c0, r00); r01 = v_fma(a1, c0, r01);
                        i00 = v_fnma(a0, s0, i00); i01 = v_fnma(a1, s0, i01);
                        r10 = v_fma(a0, c1, r10); r11 = v_fma(a1, c1, r11);
                        i10 = v_fnma(a0, s1, i10); i11 = v_fnma(a1, s1, i11);
                    }
                    vf *t0 = T + 4 * (h * Q + kw), *t1 = t0 + 4;
                    t0[0] = r00; t0[1] = r01; t0[2] = i00; t0[3] = i01;
                    t1[0] = r10; t1[1] = r11; t1[2] = i10; t1[3] = i11;
                }
                for (; kw < Q; kw++) {
                    vf r0 = v_zero(), r1 = v_zero(), i0 = v_zero(), i1 = v_zero();
                    for (Py_ssize_t x = 0; x < W; x++) {
                        vf a0 = v_load(row + x * sw, m0), a1 = v_load(row + x * sw + 16, m1);
                        vf c0 = v_set1(cw[kw * W + x]), s0 = v_set1(swt[kw * W + x]);
                        r0 = v_fma(a0, c0, r0); r1 = v_fma(a1, c0, r1);
                        i0 = v_fnma(a0, s0, i0); i1 = v_fnma(a1, s0, i1);
                    }
                    vf *t0 = T + 4 * (h * Q + kw);
                    t0[0] = r0; t0[1] = r1; t0[2] = i0; t0[3] = i1;
                }
            }
            /* along H, outputs kh and PH-kh together:
             * X[kh] = (P + Qs) + i(R - S), X[PH-kh] = (P - Qs) + i(R + S) with
             * P = sum a c, Qs = sum b s, R = sum b c, S = sum a s (T = a + ib). */
            for (Py_ssize_t kw = 0; kw < Q; kw++) {
                for (Py_ssize_t kh = 0; kh < NH; kh++) {
                    vf P0 = v_zero(), P1 = v_zero(), Q0 = v_zero(), Q1 = v_zero();
                    vf R0 = v_zero(), R1 = v_zero(), S0 = v_zero(), S1 = v_zero();
                    for (Py_ssize_t h = 0; h < H; h++) {
                        const vf *t = T + 4 * (h * Q + kw);
                        vf c = v_set1(chh[kh * H + h]), s = v_set1(shh[kh * H + h]);
                        P0 = v_fma(t[0], c, P0); P1 = v_fma(t[1], c, P1);
                        Q0 = v_fma(t[2], s, Q0); Q1 = v_fma(t[3], s, Q1);
                        R0 = v_fma(t[2], c, R0); R1 = v_fma(t[3], c, R1);
                        S0 = v_fma(t[0], s, S0); S1 = v_fma(t[1], s, S1);
                    }
                    float *o = dp + ((kh * Q + kw) * 2 * ntot + n) * C + cb;
                    v_store(o, v_add(P0, Q0), m0); v_store(o + 16, v_add(P1, Q1), m1);
                    o += ntot * C;
                    v_store(o, v_sub(R0, S0), m0); v_store(o + 16, v_sub(R1, S1), m1);
                    Py_ssize_t km = PH - kh;
                    if (kh > 0 && km != kh) {
                        o = dp + ((km * Q + kw) * 2 * ntot + n) * C + cb;
                        v_store(o, v_sub(P0, Q0), m0); v_store(o + 16, v_sub(P1, Q1), m1);
                        o += ntot * C;
                        v_store(o, v_add(R0, S0), m0); v_store(o + 16, v_add(R1, S1), m1);
                    }
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
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
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
    tw = malloc(sizeof(float) * (2 * nr * (NP + 1) + nr + 2 * nc * Q));
    V = aligned_alloc(64, sizeof(vf) * (size_t)(4 * nr * Q));
    SD = aligned_alloc(64, sizeof(vf) * (size_t)(8 * (NP + 1) + 8));
    if (!tw || !V || !SD) { PyErr_NoMemory(); goto done; }
    float *hc = tw, *hs = hc + nr * (NP + 1), *hn = hs + nr * (NP + 1), *wc = hn + nr,
          *ws = wc + nc * Q;
    const double ih = 1.0 / (double)PH, iw = 1.0 / (double)PW;
    for (Py_ssize_t r = 0; r < nr; r++) {
        for (Py_ssize_t j = 1; j <= NP; j++) {
            double c, s;
            twiddle(j, r + r0, PH, &c, &s);
            hc[r * (NP + 1) + j] = (float)(c * ih);
            hs[r * (NP + 1) + j] = (float)(s * ih);
        }
        hn[r] = (float)(((r + r0) % 2 ? -1.0 : 1.0) * ih);
    }
    for (Py_ssize_t x = 0; x < nc; x++)
        for (Py_ssize_t k = 0; k < Q; k++) {
            double c, s, wgt = (k == 0 || (PW % 2 == 0 && k == PW / 2)) ? 1.0 : 2.0;
            twiddle(k, x + c0, PW, &c, &s);
            wc[x * Q + k] = (float)(wgt * c * iw);
            ws[x * Q + k] = (float)(-wgt * s * iw);
        }
    const float *sp = src.buf;
    float *dp = dst.buf;
    const vf vih = v_set1((float)ih);
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t n = n0; n < n1; n++) {
        for (Py_ssize_t cb = 0; cb < C; cb += 32) {
            const vmask m0 = v_mask(C - cb), m1 = v_mask(C - cb - 16);
            /* along H: V[r][kw] = 1/PH sum_kh Y[kh][kw] e^{+i 2 pi kh r / PH} */
            for (Py_ssize_t kw = 0; kw < Q; kw++) {
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
                vf y0r0 = v_mul(v_load(YP(0, 0), m0), vih), y0r1 = v_mul(v_load(YP(0, 0) + 16, m1), vih);
                vf y0i0 = v_mul(v_load(YP(0, 1), m0), vih), y0i1 = v_mul(v_load(YP(0, 1) + 16, m1), vih);
                vf ynr0 = v_zero(), ynr1 = v_zero(), yni0 = v_zero(), yni1 = v_zero();
                if (nyq) {
                    ynr0 = v_load(YP(PH / 2, 0), m0); ynr1 = v_load(YP(PH / 2, 0) + 16, m1);
                    yni0 = v_load(YP(PH / 2, 1), m0); yni1 = v_load(YP(PH / 2, 1) + 16, m1);
                }
#undef YP
                for (Py_ssize_t r = 0; r < nr; r++) {
                    vf re0 = y0r0, re1 = y0r1, im0 = y0i0, im1 = y0i1;
                    const float *c_ = hc + r * (NP + 1), *s_ = hs + r * (NP + 1);
                    for (Py_ssize_t j = 1; j <= NP; j++) {
                        const vf *sd = SD + 8 * j;
                        vf c = v_set1(c_[j]), s = v_set1(s_[j]);
                        re0 = v_fma(sd[0], c, re0); re1 = v_fma(sd[1], c, re1);
                        re0 = v_fnma(sd[6], s, re0); re1 = v_fnma(sd[7], s, re1);
                        im0 = v_fma(sd[2], c, im0); im1 = v_fma(sd[3], c, im1);
                        im0 = v_fma(sd[4], s, im0); im1 = v_fma(sd[5], s, im1);
                    }
                    if (nyq) {
                        vf c = v_set1(hn[r]);
                        re0 = v_fma(ynr0, c, re0); re1 = v_fma(ynr1, c, re1);
                        im0 = v_fma(yni0, c, im0); im1 = v_fma(yni1, c, im1);
                    }
                    vf *v = V + 4 * (r * Q + kw);
                    v[0] = re0; v[1] = re1; v[2] = im0; v[3] = im1;
                }
            }
            /* along W: out[r][x] = sum_kw wc Vre + ws Vim */
            for (Py_ssize_t r = 0; r < nr; r++) {
                float *orow = dp + n * sn + r * sh + cb;
                const vf *vr = V + 4 * r * Q;
                Py_ssize_t x = 0;
                for (; x + 2 <= nc; x += 2) {
                    vf a0 = v_zero(), a1 = v_zero(), b0 = v_zero(), b1 = v_zero();
                    for (Py_ssize_t k = 0; k < Q; k++) {
                        const vf *v = vr + 4 * k;
                        vf c0 = v_set1(wc[x * Q + k]), s0 = v_set1(ws[x * Q + k]);
                        vf c1 = v_set1(wc[(x + 1) * Q + k]), s1 = v_set1(ws[(x + 1) * Q + k]);
                        a0 = v_fma(v[0], c0, a0); a1 = v_fma(v[1], c0, a1);
                        a0 = v_fma(v[2], s0, a0); a1 = v_fma(v[3], s0, a1);
                        b0 = v_fma(v[0], c1, b0); b1 = v_fma(v[1], c1, b1);
                        b0 = v_fma(v[2], s1, b0); b1 = v_fma(v[3], s1, b1);
                    }
                    v_store(orow + x * sw, a0, m0); v_store(orow + x * sw + 16, a1, m1);
                    v_store(orow + (x + 1) * sw, b0, m0); v_store(orow + (x + 1) * sw + 16, b1, m1);
                }
                for (; x < nc; x++) {
                    vf a0 = v_zero(), a1 = v_zero();
                    for (Py_ssize_t k = 0; k < Q; k++) {
                        const vf *v = vr + 4 * k;
                        vf c0 = v_set1(wc[x * Q + k]), s0 = v_set1(ws[x * Q + k]);
                        a0 = v_fma(v[0], c0, a0); a1 = v_fma(v[1], c0, a1);
                        a0 = v_fma(v[2], s0, a0); a1 = v_fma(v[3], s0, a1);
                    }
                    v_store(orow + x * sw, a0, m0); v_store(orow + x * sw + 16, a1, m1);
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
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    return ret;
}

/* ============================================================ complex channel mixing */

/* R rows x 32 columns (two vectors, masked) of C = A @ B or A @ conj(B) over k < K. */
ALWAYS_INLINE void cg_tile(int R, const float *are, const float *aim, Py_ssize_t sai,
                           Py_ssize_t sak, const float *bre, const float *bim, Py_ssize_t ldb,
                           float *cre, float *cim, Py_ssize_t ldc, Py_ssize_t K, vmask m0,
                           vmask m1, int conjb) {
    vf xr[6][2], xi[6][2];
#pragma GCC unroll 6
    for (int r = 0; r < R; r++)
        xr[r][0] = xr[r][1] = xi[r][0] = xi[r][1] = v_zero();
    for (Py_ssize_t k = 0; k < K; k++) {
        vf br0 = v_load(bre + k * ldb, m0), br1 = v_load(bre + k * ldb + 16, m1);
        vf bi0 = v_load(bim + k * ldb, m0), bi1 = v_load(bim + k * ldb + 16, m1);
#pragma GCC unroll 6
        for (int r = 0; r < R; r++) {
            vf ar = v_set1(are[r * sai + k * sak]), ai = v_set1(aim[r * sai + k * sak]);
            xr[r][0] = v_fma(ar, br0, xr[r][0]); xr[r][1] = v_fma(ar, br1, xr[r][1]);
            xi[r][0] = v_fma(ai, br0, xi[r][0]); xi[r][1] = v_fma(ai, br1, xi[r][1]);
            if (conjb) {
                /* (ar + i ai)(br - i bi) = (ar br + ai bi) + i(ai br - ar bi) */
                xr[r][0] = v_fma(ai, bi0, xr[r][0]); xr[r][1] = v_fma(ai, bi1, xr[r][1]);
                xi[r][0] = v_fnma(ar, bi0, xi[r][0]); xi[r][1] = v_fnma(ar, bi1, xi[r][1]);
            } else {
                xr[r][0] = v_fnma(ai, bi0, xr[r][0]); xr[r][1] = v_fnma(ai, bi1, xr[r][1]);
                xi[r][0] = v_fma(ar, bi0, xi[r][0]); xi[r][1] = v_fma(ar, bi1, xi[r][1]);
            }
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < R; r++) {
        v_store(cre + r * ldc, xr[r][0], m0); v_store(cre + r * ldc + 16, xr[r][1], m1);
        v_store(cim + r * ldc, xi[r][0], m0); v_store(cim + r * ldc + 16, xi[r][1], m1);
    }
}

#define CG_CASE(R, CONJ) cg_tile(R, are, aim, sai, sak, bre, bim, ldb, cre, cim, ldc, K, m0, m1, CONJ)
static void cg_tile_any(int R, int conjb, const float *are, const float *aim, Py_ssize_t sai,
                        Py_ssize_t sak, const float *bre, const float *bim, Py_ssize_t ldb,
                        float *cre, float *cim, Py_ssize_t ldc, Py_ssize_t K, vmask m0,
                        vmask m1) {
    if (conjb) {
        switch (R) {
        case 6: CG_CASE(6, 1); break; case 5: CG_CASE(5, 1); break;
        case 4: CG_CASE(4, 1); break; case 3: CG_CASE(3, 1); break;
        case 2: CG_CASE(2, 1); break; default: CG_CASE(1, 1); break;
        }
    } else {
        switch (R) {
        case 6: CG_CASE(6, 0); break; case 5: CG_CASE(5, 0); break;
        case 4: CG_CASE(4, 0); break; case 3: CG_CASE(3, 0); break;
        case 2: CG_CASE(2, 0); break; default: CG_CASE(1, 0); break;
        }
    }
}
#undef CG_CASE

/* For f in [f0, f1): C_f (M x N) = A_f (M x K) @ B_f (K x N), or @ conj(B_f).
 * A_f re at a + f*sa_f + i*sa_i + k*sa_k, im at + sa_p; B_f re at b + f*sb_f + k*ldb + j,
 * im + sb_p; C_f re at c + f*sc_f + i*ldc + j, im + sc_p. */
static PyObject *cgemm(PyObject *self, PyObject *args) {
    Py_buffer A = {0}, B = {0}, Cb = {0};
    Py_ssize_t f0, f1, M, K, N, sa_f, sa_p, sa_i, sa_k, sb_f, sb_p, ldb, sc_f, sc_p, ldc;
    int conjb;
    if (!PyArg_ParseTuple(args, "y*y*w*nnnnnnnnnnnnnnnp", &A, &B, &Cb, &f0, &f1, &M, &K, &N,
                          &sa_f, &sa_p, &sa_i, &sa_k, &sb_f, &sb_p, &ldb, &sc_f, &sc_p, &ldc,
                          &conjb))
        return NULL;
    PyObject *ret = NULL;
    if (f0 < 0 || f1 < f0 || M < 1 || K < 1 || N < 1 || sa_f < 0 || sa_p < 0 || sa_i < 0 ||
        sa_k < 0 || sb_f < 0 || sb_p < 0 || ldb < 0 || sc_f < 0 || sc_p < 0 || ldc < 0)
        BAD("cgemm: bad sizes");
    if (!tw_check_contig(&Cb, "cgemm C")) goto done;
    if (f1 > f0) {
        if (!span_ok((f1 - 1) * sa_f + sa_p + (M - 1) * sa_i + (K - 1) * sa_k + 1, &A, "cgemm A") ||
            !span_ok((f1 - 1) * sb_f + sb_p + (K - 1) * ldb + N, &B, "cgemm B") ||
            !span_ok((f1 - 1) * sc_f + sc_p + (M - 1) * ldc + N, &Cb, "cgemm C"))
            goto done;
    }
    const float *ap = A.buf, *bp = B.buf;
    float *cp = Cb.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t f = f0; f < f1; f++) {
        const float *are = ap + f * sa_f, *aim = are + sa_p;
        const float *bre = bp + f * sb_f, *bim = bre + sb_p;
        float *cre = cp + f * sc_f, *cim = cre + sc_p;
        for (Py_ssize_t j = 0; j < N; j += 32) {
            vmask m0 = v_mask(N - j), m1 = v_mask(N - j - 16);
            for (Py_ssize_t i = 0; i < M; i += 6) {
                int R = (int)(M - i < 6 ? M - i : 6);
                cg_tile_any(R, conjb, are + i * sa_i, aim + i * sa_i, sa_i, sa_k, bre + j,
                            bim + j, ldb, cre + i * ldc + j, cim + i * ldc + j, ldc, K, m0, m1);
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

ALWAYS_INLINE void dfwd_tile(int R, const dgeom *g, const float *xp, const float *w, float *out,
                             Py_ssize_t oy, Py_ssize_t ox, Py_ssize_t ob, vmask m0, vmask m1) {
    const Py_ssize_t C = g->C, O = g->O, rs = g->PWn * C;
    vf a[12][2];
#pragma GCC unroll 12
    for (int r = 0; r < R; r++)
        a[r][0] = a[r][1] = v_zero();
    for (Py_ssize_t ky = 0; ky < g->KH; ky++) {
        const float *xrow = xp + (oy * g->sh + ky * g->dh) * rs + ox * g->sw * C;
        for (Py_ssize_t kx = 0; kx < g->KW; kx++) {
            for (Py_ssize_t ci = 0; ci < C; ci++) {
                const float *wp = w + ((ky * g->KW + kx) * C + ci) * O + ob;
                vf w0 = v_load(wp, m0), w1 = v_load(wp + 16, m1);
                const float *xq = xrow + kx * g->dw * C + ci;
                #pragma GCC unroll 12
                for (int r = 0; r < R; r++) {
                    vf xv = v_set1(xq[r * g->sw * C]);
                    a[r][0] = v_fma(xv, w0, a[r][0]);
                    a[r][1] = v_fma(xv, w1, a[r][1]);
                }
            }
        }
    }
    float *op = out + (oy * g->OW + ox) * O + ob;
#pragma GCC unroll 12
    for (int r = 0; r < R; r++) {
        v_store(op + r * O, a[r][0], m0);
        v_store(op + r * O + 16, a[r][1], m1);
    }
}

static void dfwd_tile_any(int R, const dgeom *g, const float *xp, const float *w, float *out,
                          Py_ssize_t oy, Py_ssize_t ox, Py_ssize_t ob, vmask m0, vmask m1) {
    switch (R) {
#define DC(r) case r: dfwd_tile(r, g, xp, w, out, oy, ox, ob, m0, m1); break;
    DC(12) DC(11) DC(10) DC(9) DC(8) DC(7) DC(6) DC(5) DC(4) DC(3) DC(2)
    default: dfwd_tile(1, g, xp, w, out, oy, ox, ob, m0, m1); break;
#undef DC
    }
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
    if (!dgeom_check(&g)) goto done;
    if (n0 < 0 || n1 < n0 || n1 > g.N) BAD("direct_fwd: bad item range");
    if (!tw_check_contig(&Out, "direct_fwd out") ||
        !span_ok(g.N * g.H * g.W * g.C, &X, "direct_fwd x") ||
        !span_ok(g.KH * g.KW * g.C * g.O, &Wt, "direct_fwd w") ||
        !span_ok(g.N * g.OH * g.OW * g.O, &Out, "direct_fwd out"))
        goto done;
    xp = malloc(sizeof(float) * (size_t)(g.PHn * g.PWn * g.C));
    if (!xp) { PyErr_NoMemory(); goto done; }
    const float *x = X.buf, *w = Wt.buf;
    float *out = Out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t n = n0; n < n1; n++) {
        pad_image(&g, x, n, xp);
        float *on = out + n * g.OH * g.OW * g.O;
        /* split each row into near-equal tiles of at most 12 pixels */
        Py_ssize_t nt = (g.OW + 11) / 12, base = g.OW / nt, extra = g.OW % nt;
        for (Py_ssize_t oy = 0; oy < g.OH; oy++)
            for (Py_ssize_t ob = 0; ob < g.O; ob += 32) {
                vmask m0 = v_mask(g.O - ob), m1 = v_mask(g.O - ob - 16);
                Py_ssize_t ox = 0;
                for (Py_ssize_t t = 0; t < nt; t++) {
                    int R = (int)(base + (t < extra));
                    dfwd_tile_any(R, &g, xp, w, on, oy, ox, ob, m0, m1);
                    ox += R;
                }
            }
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
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

/* direct_bwd_filter(x, dy, dw, t0, t1, <geometry>): rows t0..t1-1 of dw (KH*KW*C, O), the
 * row index being (ky*KW + kx)*C + ci; each row sums image by image in batch order (per-image
 * sums in registers), so a row's value does not depend on how the rows are split. */
static PyObject *direct_bwd_filter(PyObject *self, PyObject *args) {
    Py_buffer X = {0}, DY = {0}, DW = {0};
    Py_ssize_t t0, t1;
    dgeom g;
    if (!PyArg_ParseTuple(args, "y*y*w*nn" DGEOM_FMT, &X, &DY, &DW, &t0, &t1, DGEOM_ARGS(g)))
        return NULL;
    PyObject *ret = NULL;
    float *xp = NULL;
    if (!dgeom_check(&g)) goto done;
    const Py_ssize_t T = g.KH * g.KW * g.C;
    if (t0 < 0 || t1 < t0 || t1 > T) BAD("direct_bwd_filter: bad tap range");
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
    for (Py_ssize_t n = 0; n < g.N && cnt > 0; n++) {
        pad_image(&g, x, n, xp);
        const float *dyn = dy + n * g.OH * g.OW * g.O;
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
    {"direct_fwd", direct_fwd, METH_VARARGS, "Direct NHWC convolution over a batch range."},
    {"direct_bwd_filter", direct_bwd_filter, METH_VARARGS,
     "Direct NHWC filter gradient over a range of filter rows."},
    {"isa", isa, METH_NOARGS, "Vector instruction set compiled for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_conv", NULL, -1, methods};

PyMODINIT_FUNC PyInit__conv(void) { return PyModule_Create(&module); }
