/* tw-libraries: z pthread */
/* PNG decoding for DecodePng / DecodeImage (tensorweave/ops/image_io_ops.py).
 *
 * The decoder reproduces what the Pillow-based Python kernel returns (Pillow's image mode
 * for each PNG colour type and bit depth, then Pillow's channel conversions), for the files
 * it understands. Anything else -- interlaced images, APNG, a bad chunk CRC before the image
 * data, a zlib stream that is not exactly the image, palette indices past the palette, tRNS
 * transparency that Pillow turns into alpha for non-palette images, ... -- is reported as
 * "fall back" for that image, and the caller runs the Python kernel on it, which then
 * decodes it or raises the error it always raised. So a success here always equals the
 * Python result, and every error message is the Python kernel's.
 *
 * png_probe(data, channels) -> (height, width, channels) or None (fall back).
 * png_decode_start(same arguments as png_decode_batch) -> job: the same decode on the
 *     module's worker thread (the caller goes on with the GIL); job.wait() waits for it.
 * Both take optional (fout, fkind, scale): fout[i] = out[i] * scale as float32 (fkind 1) or
 *     float64 (fkind 2) for every decoded image (a cast-and-scale that follows the decode).
 * png_decode_batch(items, channels, out16, out, h, w, c, status) -> number decoded:
 *     decodes each bytes object of the sequence `items` into out[i] (uint8 or, with out16,
 *     native uint16; out has len(items)*h*w*c elements) with the GIL released for the whole
 *     batch; status[i] (int8) is 0 (decoded), 1 (fall back) or 2 (other shape).
 */
#include "tw_native.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

enum { ST_OK = 0, ST_FALLBACK = 1, ST_SHAPE = 2 };
/* Pillow's mode for a PNG: "1", "L", "I;16", "RGB", "P", "LA", "RGBA". */
enum { NAT_1, NAT_L, NAT_I16, NAT_RGB, NAT_P, NAT_LA, NAT_RGBA };

#define MAX_PIXELS 89478485ULL /* Pillow's MAX_IMAGE_PIXELS: larger images go to Pillow. */

typedef struct {
    const uint8_t *d;
    size_t n;
    uint32_t w, h;
    int depth, ctype, nat, nc, tc;
    int has_trns;
    int npal;
    uint8_t pal[256 * 4]; /* RGBA, alpha from tRNS */
    size_t idat; /* offset of the first IDAT chunk */
} png_t;

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int is_type(const uint8_t *p, const char *t) { return memcmp(p, t, 4) == 0; }

/* Parses the signature, IHDR and every chunk before the first IDAT. */
static int png_header(const uint8_t *d, size_t n, int channels, png_t *p) {
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 8 + 25 || memcmp(d, sig, 8) != 0) return ST_FALLBACK;
    if (be32(d + 8) != 13 || !is_type(d + 12, "IHDR")) return ST_FALLBACK;
    p->d = d;
    p->n = n;
    p->w = be32(d + 16);
    p->h = be32(d + 20);
    p->depth = d[24];
    p->ctype = d[25];
    if (d[26] != 0 || d[27] != 0 || d[28] != 0) return ST_FALLBACK; /* interlace etc. */
    if (p->w == 0 || p->h == 0 || p->w > 0x7fffffffu || p->h > 0x7fffffffu) return ST_FALLBACK;
    if ((uint64_t)p->w * p->h > MAX_PIXELS) return ST_FALLBACK;
    int dp = p->depth;
    switch (p->ctype) {
    case 0:
        if (dp == 1) p->nat = NAT_1;
        else if (dp == 2 || dp == 4 || dp == 8) p->nat = NAT_L;
        else if (dp == 16) p->nat = NAT_I16;
        else return ST_FALLBACK;
        p->nc = 1;
        break;
    case 2:
        if (dp != 8 && dp != 16) return ST_FALLBACK;
        p->nat = NAT_RGB;
        p->nc = 3;
        break;
    case 3:
        if (dp != 1 && dp != 2 && dp != 4 && dp != 8) return ST_FALLBACK;
        p->nat = NAT_P;
        p->nc = 4;
        break;
    case 4:
        if (dp == 8) { p->nat = NAT_LA; p->nc = 2; }
        else if (dp == 16) { p->nat = NAT_RGBA; p->nc = 4; } /* Pillow: LA;16B -> RGBA */
        else return ST_FALLBACK;
        break;
    case 6:
        if (dp != 8 && dp != 16) return ST_FALLBACK;
        p->nat = NAT_RGBA;
        p->nc = 4;
        break;
    default:
        return ST_FALLBACK;
    }
    p->has_trns = 0;
    p->npal = -1;
    int ntrns = -1;
    const uint8_t *trns = NULL;
    size_t pos = 8;
    for (;;) {
        if (pos + 12 > n) return ST_FALLBACK;
        uint32_t len = be32(d + pos);
        if (len > 0x7fffffffu || (uint64_t)pos + 12 + len > n) return ST_FALLBACK;
        const uint8_t *type = d + pos + 4;
        if (is_type(type, "IDAT")) break;
        /* Pillow checks the CRC of every chunk before the image data. */
        uint32_t crc = (uint32_t)crc32(0L, type, (uInt)(len + 4));
        if (crc != be32(d + pos + 8 + len)) return ST_FALLBACK;
        const uint8_t *body = d + pos + 8;
        if (is_type(type, "IHDR")) {
            if (pos != 8) return ST_FALLBACK;
        } else if (is_type(type, "PLTE")) {
            if (p->npal >= 0 || trns != NULL || len % 3 || len == 0 || len > 768)
                return ST_FALLBACK;
            p->npal = (int)(len / 3);
            for (int i = 0; i < p->npal; i++) {
                p->pal[4 * i] = body[3 * i];
                p->pal[4 * i + 1] = body[3 * i + 1];
                p->pal[4 * i + 2] = body[3 * i + 2];
                p->pal[4 * i + 3] = 255;
            }
        } else if (is_type(type, "tRNS")) {
            if (trns != NULL) return ST_FALLBACK;
            trns = body;
            ntrns = (int)len;
        } else if (is_type(type, "IEND") || is_type(type, "acTL") || is_type(type, "fcTL") ||
                   is_type(type, "fdAT")) {
            return ST_FALLBACK;
        } else if (!(type[0] & 0x20)) {
            return ST_FALLBACK; /* an unknown critical chunk */
        }
        pos += 12 + (size_t)len;
    }
    p->idat = pos;
    if (trns != NULL) {
        if (p->ctype == 3) {
            if (p->npal < 0 || ntrns > p->npal) return ST_FALLBACK;
            for (int i = 0; i < ntrns; i++) p->pal[4 * i + 3] = trns[i];
            p->has_trns = 1;
        } else if (p->ctype == 0 || p->ctype == 2) {
            if (ntrns < (p->ctype == 2 ? 6 : 2)) return ST_FALLBACK;
            p->has_trns = 1;
        } /* colour types 4 and 6: Pillow ignores tRNS */
    }
    if (p->ctype == 3 && p->npal < 0) return ST_FALLBACK;
    /* The Python kernel's target mode. */
    if (channels == 0) {
        switch (p->nat) {
        case NAT_1: case NAT_L: case NAT_I16: p->tc = 1; break;
        case NAT_LA: p->tc = 2; break;
        case NAT_RGBA: p->tc = 4; break;
        case NAT_P: p->tc = p->has_trns ? 4 : 3; break;
        default: p->tc = 3;
        }
    } else if (channels >= 1 && channels <= 4) {
        p->tc = channels;
    } else {
        return ST_FALLBACK;
    }
    if (p->nat == NAT_I16 && p->tc != 1) return ST_FALLBACK;
    if (p->nat == NAT_I16 && channels != 0) return ST_FALLBACK; /* Pillow's I;16 -> L */
    /* Pillow turns a grey/RGB tRNS colour into alpha when converting to LA/RGBA. */
    if (p->has_trns && p->ctype != 3 && (p->tc == 2 || p->tc == 4)) return ST_FALLBACK;
    return ST_OK;
}

/* The Paeth predictor, branch-free (random image data mispredicts every branch):
 * a if pa <= pb and pa <= pc, else b if pb <= pc, else c. */
static inline int paeth(int a, int b, int c) {
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int m = pb < pa ? pb : pa;
    int r = pb < pa ? b : a;
    return pc < m ? c : r;
}

/* Undoes one row's filter in place; prev is the previous unfiltered row (zeros at the top). */
static int unfilter(uint8_t *row, const uint8_t *prev, size_t n, size_t bpp, int ft) {
    size_t i;
    switch (ft) {
    case 0:
        break;
    case 1:
        if (bpp == 1) { /* NOTE: the running value stays in a register (no store->load) */
            uint8_t a = 0;
            for (i = 0; i < n; i++) row[i] = a = (uint8_t)(row[i] + a);
        } else {
            for (i = bpp; i < n; i++) row[i] = (uint8_t)(row[i] + row[i - bpp]);
        }
        break;
    case 2:
        for (i = 0; i < n; i++) row[i] = (uint8_t)(row[i] + prev[i]);
        break;
    case 3:
        if (bpp == 1) {
            int a = 0;
            for (i = 0; i < n; i++) row[i] = (uint8_t)(a = (uint8_t)(row[i] + ((a + prev[i]) >> 1)));
        } else {
            for (i = 0; i < bpp && i < n; i++) row[i] = (uint8_t)(row[i] + (prev[i] >> 1));
            for (; i < n; i++) row[i] = (uint8_t)(row[i] + ((row[i - bpp] + prev[i]) >> 1));
        }
        break;
    case 4:
        if (bpp == 1) {
            int a = 0, c = 0;
            for (i = 0; i < n; i++) {
                int b = prev[i];
                a = (uint8_t)(row[i] + paeth(a, b, c));
                row[i] = (uint8_t)a;
                c = b;
            }
        } else {
            for (i = 0; i < bpp && i < n; i++) row[i] = (uint8_t)(row[i] + prev[i]);
            for (; i < n; i++)
                row[i] = (uint8_t)(row[i] + paeth(row[i - bpp], prev[i], prev[i - bpp]));
        }
        break;
    default:
        return 0;
    }
    return 1;
}

/* Pillow's L24: ITU-R 601-2 luma with 16-bit fixed point and rounding. */
static inline uint8_t luma(const uint8_t *rgb) {
    return (uint8_t)(((uint32_t)rgb[0] * 19595 + (uint32_t)rgb[1] * 38470 +
                      (uint32_t)rgb[2] * 7471 + 0x8000) >> 16);
}

/* One unfiltered row -> Pillow's 8-bit pixels with nc channels (not for NAT_I16). */
static int expand_row(const png_t *p, const uint8_t *s, uint8_t *o) {
    uint32_t w = p->w, x;
    int dp = p->depth;
    switch (p->ctype) {
    case 0:
        if (dp == 8) {
            memcpy(o, s, w);
        } else {
            int per = 8 / dp, mask = (1 << dp) - 1;
            int scale = dp == 1 ? 255 : dp == 2 ? 85 : 17;
            for (x = 0; x < w; x++) {
                int shift = 8 - dp * (int)(x % per + 1);
                o[x] = (uint8_t)(((s[x / per] >> shift) & mask) * scale);
            }
        }
        break;
    case 2:
        if (dp == 8) memcpy(o, s, (size_t)w * 3);
        else for (x = 0; x < 3 * w; x++) o[x] = s[2 * x];
        break;
    case 3: {
        int per = 8 / dp, mask = (1 << dp) - 1;
        for (x = 0; x < w; x++) {
            int idx = dp == 8 ? s[x] : (s[x / per] >> (8 - dp * (int)(x % per + 1))) & mask;
            if (idx >= p->npal) return 0;
            memcpy(o + 4 * (size_t)x, p->pal + 4 * idx, 4);
        }
        break;
    }
    case 4:
        if (dp == 8) {
            memcpy(o, s, (size_t)w * 2);
        } else {
            for (x = 0; x < w; x++) {
                uint8_t l = s[4 * x], a = s[4 * x + 2];
                o[4 * x] = o[4 * x + 1] = o[4 * x + 2] = l;
                o[4 * x + 3] = a;
            }
        }
        break;
    case 6:
        if (dp == 8) memcpy(o, s, (size_t)w * 4);
        else for (x = 0; x < 4 * w; x++) o[x] = s[2 * x];
        break;
    }
    return 1;
}

/* nc-channel 8-bit pixels -> tc channels, as Pillow's convert() between L/LA/RGB/RGBA. */
static void convert_row(const uint8_t *s, int nc, uint8_t *o, int tc, uint32_t w) {
    uint32_t x;
    if (nc == tc) {
        memcpy(o, s, (size_t)w * nc);
        return;
    }
    for (x = 0; x < w; x++, s += nc, o += tc) {
        uint8_t l, a;
        if (nc == 1) { l = s[0]; a = 255; }
        else if (nc == 2) { l = s[0]; a = s[1]; }
        else { l = luma(s); a = nc == 4 ? s[3] : 255; }
        switch (tc) {
        case 1: o[0] = l; break;
        case 2: o[0] = l; o[1] = a; break;
        case 3:
        case 4:
            if (nc >= 3) { o[0] = s[0]; o[1] = s[1]; o[2] = s[2]; }
            else { o[0] = o[1] = o[2] = l; }
            if (tc == 4) o[3] = a;
            break;
        }
    }
}

typedef struct {
    z_stream zs;
    int zinit;
    uint8_t *buf;
    size_t cap;
} scratch_t;

static int grow(scratch_t *sc, size_t need) {
    if (need <= sc->cap) return 1;
    uint8_t *b = realloc(sc->buf, need);
    if (b == NULL) return 0;
    sc->buf = b;
    sc->cap = need;
    return 1;
}

/* Inflates the IDAT chunks into sc->buf (raw rows) and converts them into out. */
static int png_decode(const png_t *p, scratch_t *sc, void *out, int out16) {
    size_t bits = (size_t)p->depth * (p->ctype == 2 ? 3 : p->ctype == 4 ? 2 :
                                      p->ctype == 6 ? 4 : 1);
    size_t rowbytes = ((size_t)p->w * bits + 7) / 8;
    size_t bpp = bits >= 8 ? bits / 8 : 1;
    size_t rawlen = (size_t)p->h * (rowbytes + 1);
    size_t natlen = (size_t)p->w * 4;
    /* raw rows | a zero row | natural-pixel row | converted row */
    if (!grow(sc, rawlen + rowbytes + natlen + (size_t)p->w * 4)) return ST_FALLBACK;
    uint8_t *raw = sc->buf, *zero = raw + rawlen, *nat = zero + rowbytes, *conv = nat + natlen;
    memset(zero, 0, rowbytes);
    if (!sc->zinit) {
        memset(&sc->zs, 0, sizeof(sc->zs));
        if (inflateInit(&sc->zs) != Z_OK) return ST_FALLBACK;
        sc->zinit = 1;
    } else if (inflateReset(&sc->zs) != Z_OK) {
        return ST_FALLBACK;
    }
    z_stream *zs = &sc->zs;
    zs->next_out = raw;
    zs->avail_out = (uInt)0;
    size_t out_left = rawlen;
    int ended = 0, seen_other = 0;
    size_t pos = p->idat;
    const uint8_t *d = p->d;
    for (;;) {
        if (pos + 12 > p->n) return ST_FALLBACK;
        uint32_t len = be32(d + pos);
        if (len > 0x7fffffffu || (uint64_t)pos + 12 + len > p->n) return ST_FALLBACK;
        const uint8_t *type = d + pos + 4;
        if (is_type(type, "IEND")) break;
        if (is_type(type, "IDAT")) {
            if (seen_other || ended) {
                if (len) return ST_FALLBACK;
            } else {
                const uint8_t *in = d + pos + 8;
                size_t in_left = len;
                while (in_left && !ended) {
                    uInt ci = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
                    uInt co = out_left > (1u << 30) ? (1u << 30) : (uInt)out_left;
                    zs->next_in = (Bytef *)in;
                    zs->avail_in = ci;
                    zs->avail_out = co;
                    int r = inflate(zs, Z_NO_FLUSH);
                    size_t used_in = ci - zs->avail_in, used_out = co - zs->avail_out;
                    in += used_in;
                    in_left -= used_in;
                    out_left -= used_out;
                    if (r == Z_STREAM_END) ended = 1;
                    else if (r != Z_OK) return ST_FALLBACK;
                    else if (used_in == 0 && used_out == 0) return ST_FALLBACK;
                }
                if (in_left) return ST_FALLBACK; /* data after the end of the stream */
            }
        } else {
            if (is_type(type, "acTL") || is_type(type, "fcTL") || is_type(type, "fdAT") ||
                is_type(type, "PLTE") || is_type(type, "IHDR") || !(type[0] & 0x20))
                return ST_FALLBACK;
            seen_other = 1;
        }
        pos += 12 + (size_t)len;
    }
    if (!ended || out_left) return ST_FALLBACK;
    const uint8_t *prev = zero;
    size_t rowout = (size_t)p->w * p->tc;
    for (uint32_t y = 0; y < p->h; y++) {
        uint8_t *row = raw + (size_t)y * (rowbytes + 1);
        if (!unfilter(row + 1, prev, rowbytes, bpp, row[0])) return ST_FALLBACK;
        prev = row + 1;
        const uint8_t *s = row + 1;
        if (p->nat == NAT_I16) {
            if (out16) {
                uint16_t *o = (uint16_t *)out + (size_t)y * rowout;
                for (uint32_t x = 0; x < p->w; x++)
                    o[x] = (uint16_t)((s[2 * x] << 8) | s[2 * x + 1]);
            } else {
                uint8_t *o = (uint8_t *)out + (size_t)y * rowout;
                for (uint32_t x = 0; x < p->w; x++)
                    o[x] = (uint8_t)(((s[2 * x] << 8) | s[2 * x + 1]) / 257);
            }
            continue;
        }
        if (!expand_row(p, s, nat)) return ST_FALLBACK;
        if (out16) {
            convert_row(nat, p->nc, conv, p->tc, p->w);
            uint16_t *o = (uint16_t *)out + (size_t)y * rowout;
            for (size_t i = 0; i < rowout; i++) o[i] = (uint16_t)(conv[i] * 257);
        } else {
            convert_row(nat, p->nc, (uint8_t *)out + (size_t)y * rowout, p->tc, p->w);
        }
    }
    return ST_OK;
}

static PyObject *png_probe(PyObject *self, PyObject *args) {
    Py_buffer b;
    int channels;
    if (!PyArg_ParseTuple(args, "y*i", &b, &channels)) return NULL;
    png_t p;
    int st = png_header((const uint8_t *)b.buf, (size_t)b.len, channels, &p);
    PyBuffer_Release(&b);
    if (st != ST_OK) Py_RETURN_NONE;
    return Py_BuildValue("(kki)", (unsigned long)p.h, (unsigned long)p.w, p.tc);
}

/* A batch decode: the items' data pointers, taken with the GIL held, then decoded without it
 * (on the calling thread, or on a thread of its own for png_decode_start). */
typedef struct job_s {
    PyObject_HEAD
    PyObject *seq; /* keeps the items alive */
    const uint8_t **ptrs;
    Py_ssize_t *lens;
    Py_ssize_t n, h, w, c, nok;
    int channels, out16, has_out, started, joined;
    int claimed; /* taken off the queue (by the worker, or by a joiner running it itself) */
    volatile int done;
    pid_t pid;
    Py_buffer out, status;
    int fkind; /* 0: no scaled copy, 1: float32, 2: float64 */
    double scale;
    Py_buffer fout;
    struct job_s *next;
} job_t;

/* fout[k] = (float)out[k] * scale for one decoded image: the values NumPy gives for
 * np.multiply(out, np.float32(scale), dtype=np.float32) (one IEEE product per element). */
static void scale_image(const job_t *j, Py_ssize_t i) {
    size_t n = (size_t)j->h * (size_t)j->w * (size_t)j->c;
    if (j->fkind == 1) {
        float sc = (float)j->scale, *o = (float *)j->fout.buf + n * (size_t)i;
        if (j->out16) {
            const uint16_t *x = (const uint16_t *)j->out.buf + n * (size_t)i;
            for (size_t k = 0; k < n; k++) o[k] = (float)x[k] * sc;
        } else {
            const uint8_t *x = (const uint8_t *)j->out.buf + n * (size_t)i;
            for (size_t k = 0; k < n; k++) o[k] = (float)x[k] * sc;
        }
    } else if (j->fkind == 2) {
        double sc = j->scale, *o = (double *)j->fout.buf + n * (size_t)i;
        if (j->out16) {
            const uint16_t *x = (const uint16_t *)j->out.buf + n * (size_t)i;
            for (size_t k = 0; k < n; k++) o[k] = (double)x[k] * sc;
        } else {
            const uint8_t *x = (const uint8_t *)j->out.buf + n * (size_t)i;
            for (size_t k = 0; k < n; k++) o[k] = (double)x[k] * sc;
        }
    }
}

static void job_run(job_t *j) {
    size_t per = (size_t)j->h * (size_t)j->w * (size_t)j->c * (j->out16 ? 2 : 1);
    int8_t *st = (int8_t *)j->status.buf;
    Py_ssize_t nok = 0;
    scratch_t sc;
    memset(&sc, 0, sizeof(sc));
    for (Py_ssize_t i = 0; i < j->n; i++) {
        png_t p;
        int r;
        if (j->ptrs[i] == NULL) {
            r = ST_FALLBACK;
        } else {
            r = png_header(j->ptrs[i], (size_t)j->lens[i], j->channels, &p);
            if (r == ST_OK && (p.h != (uint32_t)j->h || p.w != (uint32_t)j->w || p.tc != j->c))
                r = ST_SHAPE;
            if (r == ST_OK)
                r = png_decode(&p, &sc, (uint8_t *)j->out.buf + per * (size_t)i, j->out16);
        }
        st[i] = (int8_t)r;
        if (r == ST_OK) {
            nok++;
            scale_image(j, i);
        }
    }
    if (sc.zinit) inflateEnd(&sc.zs);
    free(sc.buf);
    j->nok = nok;
}

/* One worker thread, started on first use, runs queued jobs in order (creating a thread per
 * batch costs more than decoding it on a VM). A job is freed only after it is done (dealloc
 * waits), so the worker never touches freed memory. */
static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static job_t *q_head, *q_tail;
static pid_t worker_pid;

static void *worker_main(void *arg) {
    (void)arg;
    /* Decoding ahead should fill core time the training step leaves idle, not take cores from
     * the step's own compute threads: the worker runs at the lowest priority (Linux applies a
     * thread id's nice value to that thread alone), and a consumer that needs a batch the
     * worker has not started decodes it itself at its own priority (job_join). */
#ifdef SYS_gettid
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
#endif
    pthread_mutex_lock(&q_mu);
    for (;;) {
        while (q_head == NULL) pthread_cond_wait(&q_cv, &q_mu);
        job_t *j = q_head;
        q_head = j->next;
        if (q_head == NULL) q_tail = NULL;
        j->claimed = 1;
        pthread_mutex_unlock(&q_mu);
        job_run(j);
        pthread_mutex_lock(&q_mu);
        j->done = 1;
        pthread_cond_broadcast(&done_cv);
    }
    return NULL;
}

/* Called with the GIL held. 0 when no worker thread can be had. */
static int ensure_worker(void) {
    if (worker_pid == getpid()) return 1;
    /* first use, or a child after fork(): the parent's worker does not exist here */
    pthread_mutex_init(&q_mu, NULL);
    pthread_cond_init(&q_cv, NULL);
    pthread_cond_init(&done_cv, NULL);
    q_head = q_tail = NULL;
    pthread_t t;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return 0;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int r = pthread_create(&t, &attr, worker_main, NULL);
    pthread_attr_destroy(&attr);
    if (r != 0) return 0;
    worker_pid = getpid();
    return 1;
}

static void job_join(job_t *j) {
    if (j->started && !j->joined) {
        if (j->pid != getpid()) {
            /* queued before a fork(): this process has no worker with it */
            if (!j->done) job_run(j);
        } else {
            Py_BEGIN_ALLOW_THREADS
            pthread_mutex_lock(&q_mu);
            if (!j->claimed) {
                /* still queued: take it off the queue and decode it here */
                job_t **pp = &q_head, *prev = NULL;
                while (*pp != NULL && *pp != j) {
                    prev = *pp;
                    pp = &(*pp)->next;
                }
                if (*pp == j) {
                    *pp = j->next;
                    if (q_tail == j) q_tail = prev;
                }
                j->claimed = 1;
                pthread_mutex_unlock(&q_mu);
                job_run(j);
                pthread_mutex_lock(&q_mu);
                j->done = 1;
            }
            while (!j->done) pthread_cond_wait(&done_cv, &q_mu);
            pthread_mutex_unlock(&q_mu);
            Py_END_ALLOW_THREADS
        }
        j->joined = 1;
    }
}

static void job_dealloc(job_t *j) {
    job_join(j);
    free(j->ptrs);
    free(j->lens);
    if (j->has_out) {
        PyBuffer_Release(&j->out);
        PyBuffer_Release(&j->status);
    }
    if (j->fkind) PyBuffer_Release(&j->fout);
    Py_XDECREF(j->seq);
    Py_TYPE(j)->tp_free((PyObject *)j);
}

static PyObject *job_wait(job_t *j, PyObject *noargs) {
    job_join(j);
    return PyLong_FromSsize_t(j->nok);
}

static PyMethodDef job_methods[] = {
    {"wait", (PyCFunction)job_wait, METH_NOARGS,
     "Waits for the decode to finish; returns the number of images decoded."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject job_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tensorweave.native._image.PngJob",
    .tp_basicsize = sizeof(job_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)job_dealloc,
    .tp_methods = job_methods,
    .tp_doc = "A batch PNG decode running on its own thread (png_decode_start).",
};

/* Parses and checks the arguments of png_decode_batch / png_decode_start into a new job. */
static job_t *job_new(PyObject *args) {
    PyObject *items;
    int channels, out16;
    Py_ssize_t h, w, c;
    job_t *j = PyObject_New(job_t, &job_type);
    if (j == NULL) return NULL;
    j->seq = NULL;
    j->ptrs = NULL;
    j->lens = NULL;
    j->has_out = j->started = j->joined = j->done = j->claimed = 0;
    j->fkind = 0;
    j->next = NULL;
    j->pid = getpid();
    j->nok = 0;
    PyObject *fout = Py_None;
    int fkind = 0;
    double scale = 0.0;
    if (!PyArg_ParseTuple(args, "Oipw*nnnw*|Oid", &items, &channels, &out16, &j->out, &h, &w,
                          &c, &j->status, &fout, &fkind, &scale)) {
        Py_DECREF(j);
        return NULL;
    }
    j->has_out = 1;
    if (fout != Py_None) {
        if (fkind != 1 && fkind != 2) {
            PyErr_SetString(PyExc_ValueError, "png_decode_batch: fkind must be 1 or 2");
            goto fail;
        }
        if (PyObject_GetBuffer(fout, &j->fout, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
            goto fail;
        j->fkind = fkind;
        j->scale = scale;
    }
    j->channels = channels;
    j->out16 = out16;
    j->h = h;
    j->w = w;
    j->c = c;
    j->seq = PySequence_Fast(items, "png_decode_batch: items must be a sequence");
    if (j->seq == NULL) goto fail;
    Py_ssize_t n = j->n = PySequence_Fast_GET_SIZE(j->seq);
    if (h <= 0 || w <= 0 || c < 1 || c > 4 || h > 0x7fffffff || w > 0x7fffffff) {
        PyErr_SetString(PyExc_ValueError, "png_decode_batch: bad image shape");
        goto fail;
    }
    if ((uint64_t)h * (uint64_t)w > MAX_PIXELS) {
        PyErr_SetString(PyExc_ValueError, "png_decode_batch: image too large");
        goto fail;
    }
    size_t per = (size_t)h * (size_t)w * (size_t)c * (out16 ? 2 : 1);
    if (!tw_check_contig(&j->out, "png_decode_batch out") ||
        !tw_check_bytes(&j->out, (Py_ssize_t)(per * (size_t)n), "png_decode_batch out") ||
        !tw_check_bytes(&j->status, n, "png_decode_batch status"))
        goto fail;
    if (out16 && ((uintptr_t)j->out.buf % 2)) {
        PyErr_SetString(PyExc_ValueError, "png_decode_batch: out must be 2-byte aligned");
        goto fail;
    }
    if (j->fkind) {
        size_t fsz = j->fkind == 1 ? 4 : 8;
        if (!tw_check_bytes(&j->fout, (Py_ssize_t)((size_t)h * (size_t)w * (size_t)c * fsz *
                                                    (size_t)n), "png_decode_batch fout"))
            goto fail;
        if ((uintptr_t)j->fout.buf % fsz) {
            PyErr_SetString(PyExc_ValueError, "png_decode_batch: fout not aligned");
            goto fail;
        }
    }
    j->ptrs = malloc(sizeof(*j->ptrs) * (size_t)(n ? n : 1));
    j->lens = malloc(sizeof(*j->lens) * (size_t)(n ? n : 1));
    if (j->ptrs == NULL || j->lens == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    PyObject **it = PySequence_Fast_ITEMS(j->seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyBytes_Check(it[i])) {
            j->ptrs[i] = (const uint8_t *)PyBytes_AS_STRING(it[i]);
            j->lens[i] = PyBytes_GET_SIZE(it[i]);
        } else {
            j->ptrs[i] = NULL;
            j->lens[i] = 0;
        }
    }
    return j;
fail:
    Py_DECREF(j);
    return NULL;
}

static PyObject *png_decode_batch(PyObject *self, PyObject *args) {
    job_t *j = job_new(args);
    if (j == NULL) return NULL;
    Py_BEGIN_ALLOW_THREADS
    job_run(j);
    Py_END_ALLOW_THREADS
    PyObject *r = PyLong_FromSsize_t(j->nok);
    Py_DECREF(j);
    return r;
}

/* Same arguments as png_decode_batch; the decode runs on a new thread while the caller goes
 * on. Returns a job whose wait() joins it (out and status are valid after wait()); the items,
 * out and status stay referenced by the job until it is freed (which waits too). */
static PyObject *png_decode_start(PyObject *self, PyObject *args) {
    job_t *j = job_new(args);
    if (j == NULL) return NULL;
    if (!ensure_worker()) {
        /* no thread to be had: decode here */
        Py_BEGIN_ALLOW_THREADS
        job_run(j);
        Py_END_ALLOW_THREADS
        j->done = 1;
        return (PyObject *)j;
    }
    j->started = 1;
    pthread_mutex_lock(&q_mu);
    if (q_tail != NULL) q_tail->next = j;
    else q_head = j;
    q_tail = j;
    pthread_cond_signal(&q_cv);
    pthread_mutex_unlock(&q_mu);
    return (PyObject *)j;
}

static PyMethodDef methods[] = {
    {"png_probe", png_probe, METH_VARARGS,
     "png_probe(data, channels) -> (height, width, channels) or None."},
    {"png_decode_batch", png_decode_batch, METH_VARARGS,
     "png_decode_batch(items, channels, out16, out, h, w, c, status) -> number decoded."},
    {"png_decode_start", png_decode_start, METH_VARARGS,
     "png_decode_start(items, channels, out16, out, h, w, c, status) -> job (job.wait())."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_image", NULL, -1, methods};

PyMODINIT_FUNC PyInit__image(void) {
    if (PyType_Ready(&job_type) < 0) return NULL;
    return PyModule_Create(&module);
}
