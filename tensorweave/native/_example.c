/* tf.train.Example parsing and TFRecord framing for the input pipeline.
 *
 * parse_dense(records, keys, kinds, sizes, outs, missing) -> list or None
 *     Reads dense (FixedLenFeature) values straight from serialized Example protos
 *     (tensorweave/formats/example_pb2.py: Example.features=1, Features.feature=1 (map entry:
 *     key=1, value=2), Feature.bytes_list=1 / float_list=2 / int64_list=3, *List.value=1, packed
 *     or not). `records` is a sequence of bytes; keys a tuple of bytes; kinds a bytes object
 *     (0 bytes, 1 float, 2 int64 per key); sizes a tuple of value counts per example; outs a
 *     tuple with, per key, a writable float32/int64 buffer of len(records)*size values (None
 *     for bytes keys); missing a writable uint8 buffer [len(records), len(keys)] set to 1 where
 *     an example has no value for a key (the caller fills the default). The scan runs with the
 *     GIL released. Returns, per key, a list of the len(records)*size bytes values (None for
 *     missing rows) for bytes keys and None for numeric keys -- or None when anything is not
 *     the plain case (malformed data, a type or size mismatch, a non-ASCII key, a Feature with
 *     more than one kind, ...): the caller then runs the Python parser, which returns the same
 *     values or raises its usual error.
 *
 * tfrecord_split(buf, pos) -> (records, end, status)
 *     Splits TFRecord framing (uint64 length, masked crc32c of it, data, masked crc32c of the
 *     data) from offset pos of buf, checking both CRCs with the GIL released. Returns the list
 *     of complete records, the offset where it stopped, and status 0 (the rest is an
 *     incomplete record or empty), 1 (length checksum mismatch at end) or 2 (data checksum
 *     mismatch at end).
 *
 * crc32c(buf, crc=0) -> the CRC-32C of buf continuing from crc (unmasked).
 */
#include "tw_native.h"
#include <stdlib.h>
#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

/* ------------------------------------------------------------------ CRC-32C */
static uint32_t crc_table[8][256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 255];
}

static uint32_t crc32c_ext(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
#if defined(__SSE4_2__) && defined(__x86_64__)
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8;
        n -= 8;
    }
    crc = (uint32_t)c;
    while (n--) crc = _mm_crc32_u8(crc, *p++);
#else
    while (n >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24);
        crc = crc_table[7][lo & 255] ^ crc_table[6][(lo >> 8) & 255] ^
              crc_table[5][(lo >> 16) & 255] ^ crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^
              crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
        p += 8;
        n -= 8;
    }
    while (n--) crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 255];
#endif
    return ~crc;
}

/* The CRC-32C of three buffers at once (three independent crc32 streams in flight). */
static void crc32c_3(const uint8_t *const *p, const size_t *n, uint32_t *out) {
#if defined(__SSE4_2__) && defined(__x86_64__)
    size_t m = n[0] < n[1] ? n[0] : n[1];
    m = (m < n[2] ? m : n[2]) & ~(size_t)7;
    uint64_t a = 0xffffffffu, b = 0xffffffffu, c = 0xffffffffu;
    for (size_t i = 0; i < m; i += 8) {
        uint64_t va, vb, vc;
        memcpy(&va, p[0] + i, 8);
        memcpy(&vb, p[1] + i, 8);
        memcpy(&vc, p[2] + i, 8);
        a = _mm_crc32_u64(a, va);
        b = _mm_crc32_u64(b, vb);
        c = _mm_crc32_u64(c, vc);
    }
    out[0] = crc32c_ext(~(uint32_t)a, p[0] + m, n[0] - m);
    out[1] = crc32c_ext(~(uint32_t)b, p[1] + m, n[1] - m);
    out[2] = crc32c_ext(~(uint32_t)c, p[2] + m, n[2] - m);
#else
    for (int t = 0; t < 3; t++) out[t] = crc32c_ext(0, p[t], n[t]);
#endif
}

static inline uint32_t masked(uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

static inline uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const uint8_t *p) {
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static PyObject *py_crc32c(PyObject *self, PyObject *args) {
    Py_buffer b;
    unsigned long crc = 0;
    if (!PyArg_ParseTuple(args, "y*|k", &b, &crc)) return NULL;
    uint32_t r;
    Py_BEGIN_ALLOW_THREADS
    r = crc32c_ext((uint32_t)crc, (const uint8_t *)b.buf, (size_t)b.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&b);
    return PyLong_FromUnsignedLong(r);
}

static PyObject *tfrecord_split(PyObject *self, PyObject *args) {
    Py_buffer b;
    Py_ssize_t pos;
    if (!PyArg_ParseTuple(args, "y*n", &b, &pos)) return NULL;
    if (pos < 0 || pos > b.len) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_ValueError, "tfrecord_split: pos out of range");
        return NULL;
    }
    const uint8_t *d = (const uint8_t *)b.buf;
    size_t n = (size_t)b.len, p = (size_t)pos;
    size_t cap = 64, cnt = 0;
    size_t *offs = malloc(cap * 2 * sizeof(size_t));
    int status = 0, oom = 0;
    if (offs == NULL) {
        PyBuffer_Release(&b);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    /* Pass 1: the framing (lengths and their checksums) up to the first bad or incomplete
     * record; pass 2: the data checksums, three records at a time (one crc32 instruction
     * stream is latency-bound), stopping at the first mismatch in file order. */
    for (;;) {
        if (n - p < 12) break;
        uint64_t len = le64(d + p);
        if (masked(crc32c_ext(0, d + p, 8)) != le32(d + p + 8)) {
            status = 1;
            break;
        }
        if (len > n - p - 12 || n - p - 12 - len < 4) break;
        if (cnt == cap) {
            size_t *o2 = realloc(offs, cap * 4 * sizeof(size_t));
            if (o2 == NULL) {
                oom = 1;
                break;
            }
            offs = o2;
            cap *= 2;
        }
        offs[2 * cnt] = p + 12;
        offs[2 * cnt + 1] = (size_t)len;
        cnt++;
        p += 16 + (size_t)len;
    }
    for (size_t i = 0; i < cnt; i += 3) {
        size_t k = cnt - i < 3 ? cnt - i : 3;
        uint32_t crc[3];
        const uint8_t *ptr[3];
        size_t len[3];
        for (size_t t = 0; t < 3; t++) {
            size_t r = i + (t < k ? t : 0);
            ptr[t] = d + offs[2 * r];
            len[t] = t < k ? offs[2 * r + 1] : 0;
        }
        crc32c_3(ptr, len, crc);
        for (size_t t = 0; t < k; t++) {
            if (masked(crc[t]) != le32(ptr[t] + len[t])) {
                cnt = i + t;
                p = offs[2 * cnt] - 12;
                status = 2;
                break;
            }
        }
        if (status == 2) break;
    }
    Py_END_ALLOW_THREADS
    PyObject *res = NULL, *lst = NULL;
    if (oom) {
        PyErr_NoMemory();
        goto done;
    }
    lst = PyList_New((Py_ssize_t)cnt);
    if (lst == NULL) goto done;
    for (size_t i = 0; i < cnt; i++) {
        PyObject *r = PyBytes_FromStringAndSize((const char *)d + offs[2 * i],
                                                (Py_ssize_t)offs[2 * i + 1]);
        if (r == NULL) goto done;
        PyList_SET_ITEM(lst, (Py_ssize_t)i, r);
    }
    res = Py_BuildValue("(Oni)", lst, (Py_ssize_t)p, status);
done:
    Py_XDECREF(lst);
    free(offs);
    PyBuffer_Release(&b);
    return res;
}

/* ------------------------------------------------------------- Example protos */
typedef struct {
    const uint8_t *p, *end;
} rd_t;

/* Reads a varint; 0 on malformed / overlong input. */
static inline int rd_varint(rd_t *r, uint64_t *v) {
    uint64_t x = 0;
    for (int i = 0; i < 10; i++) {
        if (r->p >= r->end) return 0;
        uint8_t c = *r->p++;
        if (i == 9 && c > 1) return 0;
        x |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0;
}

/* Reads a tag; 0 on malformed input or a field number 0 / wire types 3, 4, 6, 7. */
static inline int rd_tag(rd_t *r, uint32_t *field, int *wt) {
    uint64_t t;
    if (!rd_varint(r, &t) || t > 0xffffffffull) return 0;
    *field = (uint32_t)(t >> 3);
    *wt = (int)(t & 7);
    return *field != 0 && (*wt == 0 || *wt == 1 || *wt == 2 || *wt == 5);
}

static inline int rd_len(rd_t *r, rd_t *sub) {
    uint64_t n;
    if (!rd_varint(r, &n) || n > (uint64_t)(r->end - r->p)) return 0;
    sub->p = r->p;
    sub->end = r->p + n;
    r->p += n;
    return 1;
}

static inline int rd_skip(rd_t *r, int wt) {
    uint64_t v;
    rd_t s;
    switch (wt) {
    case 0: return rd_varint(r, &v);
    case 1: if (r->end - r->p < 8) return 0; r->p += 8; return 1;
    case 2: return rd_len(r, &s);
    case 5: if (r->end - r->p < 4) return 0; r->p += 4; return 1;
    }
    return 0;
}

enum { K_BYTES = 0, K_FLOAT = 1, K_INT64 = 2 };

typedef struct {
    const char *key;
    Py_ssize_t klen;
    int kind;
    Py_ssize_t size;
    uint8_t *out;           /* float32 / int64 values, [B, size] */
    const uint8_t **bptr;   /* bytes values, [B, size] */
    Py_ssize_t *blen;
} spec_t;

/* Fills example b's values for key k from its Feature message; 0 = fall back. */
static int take_feature(const spec_t *s, rd_t f, Py_ssize_t b, uint8_t *missing) {
    rd_t list = {NULL, NULL};
    int kind = -1;
    while (f.p < f.end) {
        uint32_t field;
        int wt;
        if (!rd_tag(&f, &field, &wt)) return 0;
        if (field >= 1 && field <= 3) {
            if (wt != 2 || kind >= 0) return 0; /* a second kind: oneof/merge rules */
            if (!rd_len(&f, &list)) return 0;
            kind = field == 1 ? K_BYTES : field == 2 ? K_FLOAT : K_INT64;
        } else if (!rd_skip(&f, wt)) {
            return 0;
        }
    }
    if (kind < 0) {
        *missing = 1;
        return 1;
    }
    if (kind != s->kind) return 0; /* the Python parser raises the type error */
    Py_ssize_t n = 0, want = s->size;
    while (list.p < list.end) {
        uint32_t field;
        int wt;
        if (!rd_tag(&list, &field, &wt)) return 0;
        if (field != 1) {
            if (!rd_skip(&list, wt)) return 0;
            continue;
        }
        if (kind == K_BYTES) {
            rd_t v;
            if (wt != 2 || !rd_len(&list, &v)) return 0;
            if (n >= want) return 0;
            s->bptr[b * want + n] = v.p;
            s->blen[b * want + n] = v.end - v.p;
            n++;
        } else if (kind == K_FLOAT) {
            float *o = (float *)s->out + b * want;
            if (wt == 5) {
                if (list.end - list.p < 4 || n >= want) return 0;
                memcpy(o + n, list.p, 4);
                list.p += 4;
                n++;
            } else if (wt == 2) {
                rd_t v;
                if (!rd_len(&list, &v) || (v.end - v.p) % 4) return 0;
                Py_ssize_t k = (v.end - v.p) / 4;
                if (k > want - n) return 0;
                memcpy(o + n, v.p, (size_t)k * 4);
                n += k;
            } else {
                return 0;
            }
        } else {
            int64_t *o = (int64_t *)s->out + b * want;
            uint64_t x;
            if (wt == 0) {
                if (n >= want || !rd_varint(&list, &x)) return 0;
                o[n++] = (int64_t)x;
            } else if (wt == 2) {
                rd_t v;
                if (!rd_len(&list, &v)) return 0;
                while (v.p < v.end) {
                    if (n >= want || !rd_varint(&v, &x)) return 0;
                    o[n++] = (int64_t)x;
                }
            } else {
                return 0;
            }
        }
    }
    return n == want; /* else the Python parser raises the size error */
}

/* Checks the wire format of a Feature the caller does not take (upb rejects the whole
 * Example when any nested message is malformed); 0 = fall back. */
static int check_feature(rd_t f) {
    while (f.p < f.end) {
        uint32_t field;
        int wt;
        if (!rd_tag(&f, &field, &wt)) return 0;
        if (field < 1 || field > 3) {
            if (!rd_skip(&f, wt)) return 0;
            continue;
        }
        rd_t list;
        uint32_t kind = field;
        if (wt != 2 || !rd_len(&f, &list)) return 0;
        while (list.p < list.end) {
            if (!rd_tag(&list, &field, &wt)) return 0;
            if (field != 1) {
                if (!rd_skip(&list, wt)) return 0;
                continue;
            }
            rd_t v;
            uint64_t x;
            if (wt == 2) {
                if (!rd_len(&list, &v)) return 0;
                if (kind == 2 && (v.end - v.p) % 4) return 0;
                if (kind == 3)
                    while (v.p < v.end)
                        if (!rd_varint(&v, &x)) return 0;
            } else if ((kind == 2 && wt == 5) || (kind == 3 && wt == 0)) {
                if (!rd_skip(&list, wt)) return 0;
            } else {
                return 0;
            }
        }
    }
    return 1;
}

/* Parses one Example; 0 = fall back. feats: per key, the last Feature message seen. */
static int parse_one(const uint8_t *d, Py_ssize_t len, const spec_t *specs, int nk,
                     Py_ssize_t b, uint8_t *missing, rd_t *feats, int *found) {
    rd_t ex = {d, d + len};
    for (int k = 0; k < nk; k++) found[k] = 0;
    while (ex.p < ex.end) {
        uint32_t field;
        int wt;
        if (!rd_tag(&ex, &field, &wt)) return 0;
        if (field != 1) {
            if (!rd_skip(&ex, wt)) return 0;
            continue;
        }
        rd_t fs;
        if (wt != 2 || !rd_len(&ex, &fs)) return 0;
        while (fs.p < fs.end) { /* Features */
            if (!rd_tag(&fs, &field, &wt)) return 0;
            if (field != 1) {
                if (!rd_skip(&fs, wt)) return 0;
                continue;
            }
            rd_t ent;
            if (wt != 2 || !rd_len(&fs, &ent)) return 0;
            const uint8_t *key = (const uint8_t *)"";
            Py_ssize_t klen = 0;
            rd_t val = {NULL, NULL};
            int nval = 0;
            while (ent.p < ent.end) { /* map entry */
                if (!rd_tag(&ent, &field, &wt)) return 0;
                if (field == 1) {
                    rd_t kv;
                    if (wt != 2 || !rd_len(&ent, &kv)) return 0;
                    key = kv.p;
                    klen = kv.end - kv.p;
                } else if (field == 2) {
                    if (wt != 2 || !rd_len(&ent, &val) || nval++) return 0;
                } else {
                    return 0; /* upb drops map entries with unknown fields */
                }
            }
            for (Py_ssize_t i = 0; i < klen; i++)
                if (key[i] & 0x80) return 0; /* UTF-8 checks: the Python parser's job */
            if (nval && !check_feature(val)) return 0;
            for (int k = 0; k < nk; k++) {
                if (specs[k].klen == klen && memcmp(specs[k].key, key, (size_t)klen) == 0) {
                    found[k] = nval ? 1 : 2; /* 2: an entry without a value (empty Feature) */
                    feats[k] = val;
                }
            }
        }
    }
    for (int k = 0; k < nk; k++) {
        uint8_t *miss = missing + b * nk + k;
        *miss = 0;
        if (found[k] != 1) {
            *miss = 1;
            continue;
        }
        if (!take_feature(&specs[k], feats[k], b, miss)) return 0;
    }
    return 1;
}

static PyObject *parse_dense(PyObject *self, PyObject *args) {
    PyObject *records, *keys, *sizes, *outs;
    Py_buffer kinds, missing;
    if (!PyArg_ParseTuple(args, "OO!y*O!O!w*", &records, &PyTuple_Type, &keys, &kinds,
                          &PyTuple_Type, &sizes, &PyTuple_Type, &outs, &missing))
        return NULL;
    PyObject *seq = NULL, *res = NULL;
    Py_buffer *obufs = NULL;
    spec_t *specs = NULL;
    const uint8_t **rp = NULL;
    Py_ssize_t *rl = NULL;
    rd_t *feats = NULL;
    int *found = NULL;
    int nk = (int)PyTuple_GET_SIZE(keys), nobuf = 0, ok = 0;
    seq = PySequence_Fast(records, "parse_dense: records must be a sequence");
    if (seq == NULL) goto done;
    Py_ssize_t nb = PySequence_Fast_GET_SIZE(seq);
    if (kinds.len != nk || PyTuple_GET_SIZE(sizes) != nk || PyTuple_GET_SIZE(outs) != nk) {
        PyErr_SetString(PyExc_ValueError, "parse_dense: keys, kinds, sizes, outs differ in length");
        goto done;
    }
    if (!tw_check_bytes(&missing, nb * nk, "parse_dense missing")) goto done;
    specs = calloc((size_t)nk + 1, sizeof(spec_t));
    obufs = calloc((size_t)nk + 1, sizeof(Py_buffer));
    feats = calloc((size_t)nk + 1, sizeof(rd_t));
    found = calloc((size_t)nk + 1, sizeof(int));
    rp = malloc(sizeof(*rp) * (size_t)(nb + 1));
    rl = malloc(sizeof(*rl) * (size_t)(nb + 1));
    if (!specs || !obufs || !feats || !found || !rp || !rl) {
        PyErr_NoMemory();
        goto done;
    }
    for (int k = 0; k < nk; k++) {
        spec_t *s = &specs[k];
        PyObject *key = PyTuple_GET_ITEM(keys, k);
        if (!PyBytes_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "parse_dense: keys must be bytes");
            goto done;
        }
        s->key = PyBytes_AS_STRING(key);
        s->klen = PyBytes_GET_SIZE(key);
        s->kind = ((const uint8_t *)kinds.buf)[k];
        s->size = PyLong_AsSsize_t(PyTuple_GET_ITEM(sizes, k));
        if (s->size == -1 && PyErr_Occurred()) goto done;
        if (s->size < 0 || s->kind > K_INT64 || (s->size && nb > PY_SSIZE_T_MAX / 8 / s->size)) {
            PyErr_SetString(PyExc_ValueError, "parse_dense: bad kind or size");
            goto done;
        }
        PyObject *o = PyTuple_GET_ITEM(outs, k);
        if (s->kind == K_BYTES) {
            size_t cnt = (size_t)(nb * s->size) + 1;
            s->bptr = malloc(cnt * sizeof(*s->bptr));
            s->blen = malloc(cnt * sizeof(*s->blen));
            if (!s->bptr || !s->blen) {
                PyErr_NoMemory();
                goto done;
            }
        } else {
            if (PyObject_GetBuffer(o, &obufs[k], PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
                goto done;
            nobuf = k + 1;
            if (!tw_check_bytes(&obufs[k], nb * s->size * (s->kind == K_FLOAT ? 4 : 8),
                                "parse_dense out"))
                goto done;
            if ((uintptr_t)obufs[k].buf % (s->kind == K_FLOAT ? 4 : 8)) {
                PyErr_SetString(PyExc_ValueError, "parse_dense: out buffer not aligned");
                goto done;
            }
            s->out = (uint8_t *)obufs[k].buf;
        }
        nobuf = k + 1;
    }
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < nb; i++) {
        if (!PyBytes_Check(items[i])) {
            res = Py_None; /* str or other: the Python parser */
            Py_INCREF(res);
            goto done;
        }
        rp[i] = (const uint8_t *)PyBytes_AS_STRING(items[i]);
        rl[i] = PyBytes_GET_SIZE(items[i]);
    }
    ok = 1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < nb && ok; i++)
        ok = parse_one(rp[i], rl[i], specs, nk, i, (uint8_t *)missing.buf, feats, found);
    Py_END_ALLOW_THREADS
    if (!ok) {
        res = Py_None;
        Py_INCREF(res);
        goto done;
    }
    res = PyList_New(nk);
    if (res == NULL) goto done;
    const uint8_t *miss = (const uint8_t *)missing.buf;
    for (int k = 0; k < nk; k++) {
        spec_t *s = &specs[k];
        if (s->kind != K_BYTES) {
            Py_INCREF(Py_None);
            PyList_SET_ITEM(res, k, Py_None);
            continue;
        }
        PyObject *lst = PyList_New(nb * s->size);
        if (lst == NULL) {
            Py_CLEAR(res);
            goto done;
        }
        PyList_SET_ITEM(res, k, lst);
        for (Py_ssize_t i = 0; i < nb; i++) {
            for (Py_ssize_t j = 0; j < s->size; j++) {
                PyObject *v;
                if (miss[i * nk + k]) {
                    v = Py_None;
                    Py_INCREF(v);
                } else {
                    v = PyBytes_FromStringAndSize((const char *)s->bptr[i * s->size + j],
                                                  s->blen[i * s->size + j]);
                    if (v == NULL) {
                        Py_CLEAR(res);
                        goto done;
                    }
                }
                PyList_SET_ITEM(lst, i * s->size + j, v);
            }
        }
    }
done:
    if (specs) {
        for (int k = 0; k < nk; k++) {
            free(specs[k].bptr);
            free(specs[k].blen);
        }
    }
    if (obufs) {
        for (int k = 0; k < nobuf; k++)
            if (obufs[k].obj != NULL) PyBuffer_Release(&obufs[k]);
    }
    free(obufs);
    free(specs);
    free(feats);
    free(found);
    free(rp);
    free(rl);
    Py_XDECREF(seq);
    PyBuffer_Release(&kinds);
    PyBuffer_Release(&missing);
    return res;
}

static PyMethodDef methods[] = {
    {"parse_dense", parse_dense, METH_VARARGS,
     "parse_dense(records, keys, kinds, sizes, outs, missing) -> list or None."},
    {"tfrecord_split", tfrecord_split, METH_VARARGS,
     "tfrecord_split(buf, pos) -> (records, end, status)."},
    {"crc32c", py_crc32c, METH_VARARGS, "crc32c(buf, crc=0) -> CRC-32C (unmasked)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_example", NULL, -1, methods};

PyMODINIT_FUNC PyInit__example(void) {
    crc_init();
    return PyModule_Create(&module);
}
