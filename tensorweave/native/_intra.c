/* Intra-op GEMM split over native worker threads.
 * tw-libraries: pthread
 *
 * A big MatMul is split into blocks of output columns; each block is one call of the BLAS
 * sgemm/dgemm NumPy itself uses (its address is handed in from Python), with the arguments
 * NumPy's matmul passes for that block, so each block has the bits NumPy gives it
 * (runtime/devices.py only splits where that equals the full GEMM: float32, big blocks).
 * Blocks are handed out dynamically from an atomic counter: the calling thread takes blocks
 * too, and a worker that the OS has descheduled simply takes fewer (the caller never waits for
 * a worker to start, only for a block a worker has already claimed).  One split job runs at
 * a time; a second caller meanwhile runs its GEMM serially.  The same machinery splits a big
 * GradientDescent update (`gd`) into element ranges.
 *
 * Steal mode (what tensorweave uses): a worker computes its block into its own scratch and
 * copies it to C only if the caller has not taken the block back; the caller, out of free
 * blocks, takes back a worker's block still unfinished twice its own block time after the
 * worker started it.  A worker the OS deschedules in the middle of a BLAS call then costs the
 * caller about one block instead of a scheduler time slice.  Such a worker may still read A
 * and B after the call returns, so their buffers are kept until it has left the job.
 *
 * Why C: handing work to a sleeping Python thread costs a futex wake-up and the GIL twice;
 * on a VM waking an idle vCPU takes 20-100 us, as long as a quarter of the GEMM.  Here the
 * workers never touch Python: after a job they spin (with `pause`, yielding the CPU every
 * ~20 us so other runnable threads go first) for a bounded time, `spin_us`, then sleep on a
 * condition variable.  In a training loop, where big GEMMs come every millisecond, the next
 * job finds the worker awake; when idle the threads sleep.
 */
#include "tw_native.h"
#include <pthread.h>
#include <stdlib.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

#define MAX_WORKERS 15
/* CBLAS enum values (cblas.h) */
#define ROW_MAJOR 101
#define NO_TRANS 111
#define TRANS 112

/* ILP64 CBLAS (scipy-openblas: scipy_cblas_sgemm64_). */
typedef void (*sgemm_fn)(int, int, int, int64_t, int64_t, int64_t, float, const float *,
                         int64_t, const float *, int64_t, float, float *, int64_t);
typedef void (*dgemm_fn)(int, int, int, int64_t, int64_t, int64_t, double, const double *,
                         int64_t, const double *, int64_t, double, double *, int64_t);

static sgemm_fn g_sgemm;
static dgemm_fn g_dgemm;

enum { JOB_GEMM, JOB_GD };

typedef struct {
    int kind, is64, ta, tb;
    int steal;     /* workers compute into scratch; the caller may take a late block back */
    int64_t m, n, k, lda, ldb, ldc, block, nblocks;
    const char *A, *B;
    char *C;
    double alpha;  /* JOB_GD: C[i] = C[i] - alpha*A[i] over n elements */
} job_t;

/* Jobs go round a ring of slots, so a worker still leaving an old job (it holds `refs`)
 * delays the caller only when the ring comes back to that slot. */
#define NSLOTS 4
#define MAX_STEAL_BLOCKS 64
/* Block states in steal mode. */
enum { B_FREE, B_WORKER, B_DONE, B_CALLER, B_PUBLISHING };

typedef struct {
    job_t j;
    int want;                      /* workers (by id) that may join */
    _Atomic int st[MAX_STEAL_BLOCKS];
    _Atomic int64_t t0[MAX_STEAL_BLOCKS];   /* when a worker started the block */
    _Alignas(64) atomic_long next; /* next block to take */
    _Alignas(64) atomic_long done; /* blocks finished */
    _Alignas(64) atomic_int refs;  /* workers inside this job */
} slot_t;

static slot_t g_slots[NSLOTS];
static _Alignas(64) _Atomic uint64_t g_gen;  /* number of jobs published */
static atomic_int g_sleepers;
static atomic_long g_worker_blocks;
static atomic_long g_spin_ns = 1000000;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t g_call = PTHREAD_MUTEX_INITIALIZER;  /* one split job at a time */
static int g_nworkers;
static pid_t g_pid;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* var -= alpha*delta, as tensorweave/native/_train.c (and NumPy): a product rounded to the
 * variable's precision, then a subtraction (no FMA: -std=c11 keeps FP contraction off). */
static void gd_f(float *v, const float *d, float a, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float t = a * d[i];
        v[i] = v[i] - t;
    }
}

static void gd_d(double *v, const double *d, double a, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double t = a * d[i];
        v[i] = v[i] - t;
    }
}

/* Runs block b; a GEMM block goes to C (row stride ldc) or, when `out` is given, to `out`
 * with row stride = the block's width. */
static void run_block_to(const job_t *j, int64_t b, char *out) {
    int64_t j0 = b * j->block;
    int64_t w = b == j->nblocks - 1 ? j->n - j0 : j->block;   /* the last block takes the rest */
    size_t item = j->is64 ? 8 : 4;
    if (j->kind == JOB_GD) {
        if (j->is64)
            gd_d((double *)j->C + j0, (const double *)j->A + j0, j->alpha, w);
        else
            gd_f((float *)j->C + j0, (const float *)j->A + j0, (float)j->alpha, w);
        return;
    }
    /* B is k x n (NoTrans, row stride ldb) or n x k (Trans): column j0 starts at element j0
     * or at row j0. */
    const char *B = j->B + (size_t)(j->tb ? j0 * j->ldb : j0) * item;
    char *C = out ? out : j->C + (size_t)j0 * item;
    int64_t ldc = out ? w : j->ldc;
    int ta = j->ta ? TRANS : NO_TRANS, tb = j->tb ? TRANS : NO_TRANS;
    if (j->is64)
        g_dgemm(ROW_MAJOR, ta, tb, j->m, w, j->k, 1.0, (const double *)j->A, j->lda,
                (const double *)B, j->ldb, 0.0, (double *)C, ldc);
    else
        g_sgemm(ROW_MAJOR, ta, tb, j->m, w, j->k, 1.0f, (const float *)j->A, j->lda,
                (const float *)B, j->ldb, 0.0f, (float *)C, ldc);
}

static void run_block(const job_t *j, int64_t b) { run_block_to(j, b, NULL); }

/* Steal mode, worker side: each claimed block is computed into this thread's scratch and
 * copied to C only if the caller has not taken it back meanwhile (a worker the OS
 * deschedules in the middle of a BLAS call then costs the caller one block, not a time
 * slice).  Returns the blocks published, or -1 when scratch memory is short. */
static _Thread_local char *t_scratch;
static _Thread_local size_t t_scratch_len;

static atomic_long g_delay_ns;     /* test hook: workers pause before each steal-mode block */
static atomic_long g_taken_back;   /* blocks the caller took back from late workers */

static long drain_steal(slot_t *s) {
    const job_t *j = &s->j;
    size_t item = j->is64 ? 8 : 4;
    int64_t last = j->n - (j->nblocks - 1) * j->block, widest = last > j->block ? last : j->block;
    size_t need = (size_t)j->m * (size_t)widest * item;
    if (need > t_scratch_len) {
        free(t_scratch);
        t_scratch = malloc(need);
        t_scratch_len = t_scratch ? need : 0;
        if (!t_scratch) return -1;   /* take no block: the caller does them all */
    }
    long ran = 0;
    for (;;) {
        long b = atomic_fetch_add(&s->next, 1);
        if (b >= j->nblocks) return ran;
        int expect = B_FREE;
        atomic_store(&s->t0[b], now_ns());
        if (!atomic_compare_exchange_strong(&s->st[b], &expect, B_WORKER)) continue;
        long delay = atomic_load(&g_delay_ns);
        if (delay > 0) {
            struct timespec ts = {delay / 1000000000, delay % 1000000000};
            nanosleep(&ts, NULL);
        }
        run_block_to(j, b, t_scratch);
        expect = B_WORKER;
        if (!atomic_compare_exchange_strong(&s->st[b], &expect, B_PUBLISHING)) continue;
        int64_t j0 = b * j->block;
        int64_t w = b == j->nblocks - 1 ? j->n - j0 : j->block;
        for (int64_t i = 0; i < j->m; i++)
            memcpy(j->C + ((size_t)i * j->ldc + j0) * item, t_scratch + (size_t)i * w * item,
                   (size_t)w * item);
        atomic_store(&s->st[b], B_DONE);
        atomic_fetch_add(&s->done, 1);
        ran++;
    }
}

/* Steal mode, caller side: runs free blocks into C; then waits for the workers' blocks, taking
 * back any not finished `grace` ns after its start (or not yet started). */
static void caller_steal(slot_t *s) {
    const job_t *j = &s->j;
    int64_t spent = 0, own = 0;
    for (;;) {
        long b = atomic_fetch_add(&s->next, 1);
        if (b >= j->nblocks) break;
        int expect = B_FREE;
        if (!atomic_compare_exchange_strong(&s->st[b], &expect, B_CALLER)) continue;
        int64_t t = now_ns();
        run_block(j, b);
        spent += now_ns() - t;
        own++;
        atomic_store(&s->st[b], B_DONE);
        atomic_fetch_add(&s->done, 1);
    }
    /* a block of ours took `spent/own`; a worker gets twice that (+20 us, at least 50 us;
     * 200 us when we ran none) before we take its block back: a worker on a slower or
     * briefly shared core still finishes its own blocks */
    int64_t grace = own ? 2 * (spent / own) + 20000 : 200000;
    if (grace < 50000) grace = 50000;
    int64_t tick = now_ns();
    while (atomic_load(&s->done) < j->nblocks) {
        for (int64_t b = 0; b < j->nblocks; b++) {
            int st = atomic_load(&s->st[b]);
            int64_t t = now_ns();
            if (st == B_FREE || (st == B_WORKER && t - atomic_load(&s->t0[b]) > grace)) {
                int expect = st;
                if (atomic_compare_exchange_strong(&s->st[b], &expect, B_CALLER)) {
                    atomic_fetch_add(&g_taken_back, 1);
                    run_block(j, b);
                    atomic_store(&s->st[b], B_DONE);
                    atomic_fetch_add(&s->done, 1);
                }
            }
        }
        for (int i = 0; i < 16; i++) CPU_RELAX();
        int64_t t = now_ns();
        if (t - tick > 20000) { sched_yield(); tick = t; }
    }
}

/* Takes blocks of a job until none is left; returns how many it ran. */
static long drain(slot_t *s) {
    long ran = 0;
    for (;;) {
        long b = atomic_fetch_add(&s->next, 1);
        if (b >= s->j.nblocks) return ran;
        run_block(&s->j, b);
        atomic_fetch_add(&s->done, 1);
        ran++;
    }
}

/* Waits until g_gen differs from `last`: spins up to g_spin_ns, then sleeps. */
static uint64_t wait_job(uint64_t last) {
    uint64_t g;
    int64_t t0 = now_ns(), spin = atomic_load(&g_spin_ns), tick = t0, t = t0;
    while (t - t0 < spin) {
        for (int i = 0; i < 32; i++) {
            g = atomic_load(&g_gen);
            if (g != last) return g;
            CPU_RELAX();
        }
        t = now_ns();
        if (t - tick > 20000) { sched_yield(); tick = t; }
    }
    pthread_mutex_lock(&g_mu);
    atomic_fetch_add(&g_sleepers, 1);
    while ((g = atomic_load(&g_gen)) == last) pthread_cond_wait(&g_cv, &g_mu);
    atomic_fetch_sub(&g_sleepers, 1);
    pthread_mutex_unlock(&g_mu);
    return g;
}

static void *worker_main(void *arg) {
    int id = (int)(intptr_t)arg;
    uint64_t last = atomic_load(&g_gen);
    for (;;) {
        uint64_t g = wait_job(last);
        slot_t *s = &g_slots[g % NSLOTS];
        atomic_fetch_add(&s->refs, 1);
        if (atomic_load(&g_gen) != g) {   /* the caller moved on: look at the newer job */
            atomic_fetch_sub(&s->refs, 1);
            continue;
        }
        last = g;
        long ran = id >= s->want ? 0 : s->j.steal ? drain_steal(s) : drain(s);
        if (ran < 0) ran = 0;
        atomic_fetch_sub(&s->refs, 1);
        if (ran) atomic_fetch_add(&g_worker_blocks, ran);
    }
    return NULL;
}

/* Starts workers up to `want` (called with g_call held); returns how many there are. */
static int ensure_workers(int want) {
    pid_t pid = getpid();
    if (pid != g_pid) {   /* first call, or a forked child: its threads are gone */
        g_nworkers = 0;
        g_pid = pid;
        for (int i = 0; i < NSLOTS; i++) atomic_store(&g_slots[i].refs, 0);
        atomic_store(&g_sleepers, 0);
        pthread_mutex_init(&g_mu, NULL);
        pthread_cond_init(&g_cv, NULL);
    }
    if (want > MAX_WORKERS) want = MAX_WORKERS;
    while (g_nworkers < want) {
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&at, 1 << 20);
        int rc = pthread_create(&t, &at, worker_main, (void *)(intptr_t)g_nworkers);
        pthread_attr_destroy(&at);
        if (rc) break;
        g_nworkers++;
    }
    return g_nworkers < want ? g_nworkers : want;
}

/* Runs a job; returns the slot it used, or -1 when it ran serially. */
static int run_job(const job_t *j, int nthreads) {
    if (nthreads <= 1 || j->nblocks <= 1 || pthread_mutex_trylock(&g_call) != 0) {
        /* serial (or another thread is running a split GEMM: do not wait for it) */
        for (int64_t b = 0; b < j->nblocks; b++) run_block(j, b);
        return -1;
    }
    int nw = ensure_workers(nthreads - 1);
    uint64_t g = atomic_load(&g_gen) + 1;
    slot_t *s = &g_slots[g % NSLOTS];
    while (atomic_load(&s->refs) != 0) CPU_RELAX();  /* a straggler from NSLOTS jobs ago */
    s->j = *j;
    s->want = nw;
    if (s->j.steal)
        for (int64_t b = 0; b < j->nblocks; b++) atomic_store(&s->st[b], B_FREE);
    atomic_store(&s->next, 0);
    atomic_store(&s->done, 0);
    atomic_store(&g_gen, g);                          /* publish */
    if (atomic_load(&g_sleepers) > 0) {
        pthread_mutex_lock(&g_mu);
        pthread_cond_broadcast(&g_cv);
        pthread_mutex_unlock(&g_mu);
    }
    if (s->j.steal) {
        caller_steal(s);
        pthread_mutex_unlock(&g_call);
        return (int)(g % NSLOTS);
    }
    drain(s);
    int64_t tick = now_ns();
    while (atomic_load(&s->done) < j->nblocks) {      /* a worker finishes its last block */
        for (int i = 0; i < 16; i++) CPU_RELAX();
        int64_t t = now_ns();
        if (t - tick > 20000) { sched_yield(); tick = t; }
    }
    pthread_mutex_unlock(&g_call);
    return (int)(g % NSLOTS);
}

/* A worker whose block the caller took back may still be reading A and B after the call
 * returns: their buffers are then kept (released later, with the GIL, once it has left). */
static Py_buffer g_pend[NSLOTS][2];
static int g_pending[NSLOTS];

static void release_pending(void) {
    for (int i = 0; i < NSLOTS; i++) {
        if (g_pending[i] && atomic_load(&g_slots[i].refs) == 0) {
            PyBuffer_Release(&g_pend[i][0]);
            PyBuffer_Release(&g_pend[i][1]);
            g_pending[i] = 0;
        }
    }
}

/* ------------------------------------------------------------------ Python API */
static PyObject *py_set_blas(PyObject *self, PyObject *args) {
    unsigned long long s, d;
    if (!PyArg_ParseTuple(args, "KK", &s, &d)) return NULL;
    g_sgemm = (sgemm_fn)(uintptr_t)s;
    g_dgemm = (dgemm_fn)(uintptr_t)d;
    Py_RETURN_NONE;
}

static PyObject *py_set_spin(PyObject *self, PyObject *args) {
    double us;
    if (!PyArg_ParseTuple(args, "d", &us)) return NULL;
    if (!(us >= 0) || us > 1e6) {
        PyErr_SetString(PyExc_ValueError, "spin_us must be in [0, 1e6]");
        return NULL;
    }
    long old = atomic_exchange(&g_spin_ns, (long)(us * 1000.0));
    return PyFloat_FromDouble(old / 1000.0);
}

static PyObject *py_stats(PyObject *self, PyObject *noargs) {
    int pending = 0;
    for (int i = 0; i < NSLOTS; i++) pending += g_pending[i];
    return Py_BuildValue("{s:i,s:l,s:l,s:i}", "workers", g_nworkers, "worker_blocks",
                         atomic_load(&g_worker_blocks), "taken_back",
                         atomic_load(&g_taken_back), "pending_buffers", pending);
}

static PyObject *py_set_worker_delay(PyObject *self, PyObject *args) {
    double us;
    if (!PyArg_ParseTuple(args, "d", &us)) return NULL;
    if (!(us >= 0) || us > 1e6) {
        PyErr_SetString(PyExc_ValueError, "delay must be in [0, 1e6] us");
        return NULL;
    }
    atomic_store(&g_delay_ns, (long)(us * 1000.0));
    Py_RETURN_NONE;
}

static int check_matrix(const Py_buffer *b, int64_t rows, int64_t cols, int64_t ld,
                        size_t item, const char *what) {
    if (ld < cols || ld < 1) {
        PyErr_Format(PyExc_ValueError, "%s: leading dimension %lld < %lld columns", what,
                     (long long)ld, (long long)cols);
        return 0;
    }
    /* elements spanned: (rows-1)*ld + cols; guard the multiplications */
    if (rows > 0 && (uint64_t)(rows - 1) > (uint64_t)(INT64_MAX / 16) / (uint64_t)ld) {
        PyErr_Format(PyExc_ValueError, "%s: too large", what);
        return 0;
    }
    int64_t need = ((rows - 1) * ld + cols) * (int64_t)item;
    return tw_check_bytes(b, need, what);
}

/* gemm(is64, ta, tb, m, n, k, A, lda, B, ldb, C, ldc, block, nblocks, nthreads, steal=0):
 * C[m, n] = op(A) @ op(B), row-major, op = transpose when ta/tb; `nblocks` blocks of `block`
 * output columns (the last one takes the rest) over `nthreads` threads, the caller included. */
static PyObject *py_gemm(PyObject *self, PyObject *args) {
    int is64, ta, tb, nthreads, steal = 0;
    long long m, n, k, lda, ldb, ldc, block, nblocks;
    Py_buffer A, B, C;
    if (!PyArg_ParseTuple(args, "pppLLLy*Ly*Lw*LLLi|p", &is64, &ta, &tb, &m, &n, &k, &A, &lda,
                          &B, &ldb, &C, &ldc, &block, &nblocks, &nthreads, &steal))
        return NULL;
    PyObject *ret = NULL;
    size_t item = is64 ? 8 : 4;
    if ((is64 ? (void *)g_dgemm : (void *)g_sgemm) == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no BLAS gemm set (set_blas)");
        goto done;
    }
    if (m < 1 || n < 1 || k < 1 || block < 1 || nblocks < 1) {
        PyErr_SetString(PyExc_ValueError, "m, n, k, block and nblocks must be >= 1");
        goto done;
    }
    if (block > n || nblocks - 1 > (n - 1) / block) {   /* (nblocks-1)*block must be < n */
        PyErr_Format(PyExc_ValueError, "%lld blocks of %lld columns do not split %lld columns",
                     nblocks, block, n);
        goto done;
    }
    if (!check_matrix(&A, ta ? k : m, ta ? m : k, lda, item, "A") ||
        !check_matrix(&B, tb ? n : k, tb ? k : n, ldb, item, "B") ||
        !check_matrix(&C, m, n, ldc, item, "C"))
        goto done;
    if (steal && nblocks > MAX_STEAL_BLOCKS) steal = 0;   /* plain dynamic blocks */
    job_t j = {.kind = JOB_GEMM, .steal = steal, .is64 = is64, .ta = ta, .tb = tb, .m = m, .n = n, .k = k, .lda = lda,
               .ldb = ldb, .ldc = ldc, .block = block, .nblocks = nblocks,
               .A = A.buf, .B = B.buf, .C = C.buf};
    int slot;
    Py_BEGIN_ALLOW_THREADS
    slot = run_job(&j, nthreads);
    Py_END_ALLOW_THREADS
    release_pending();
    if (slot >= 0 && g_pending[slot]) {
        /* run_job waited for the slot's last workers to leave before reusing it */
        PyBuffer_Release(&g_pend[slot][0]);
        PyBuffer_Release(&g_pend[slot][1]);
        g_pending[slot] = 0;
    }
    if (steal && slot >= 0 && atomic_load(&g_slots[slot].refs) != 0) {
        g_pend[slot][0] = A;   /* the buffers now belong to g_pend */
        g_pend[slot][1] = B;
        g_pending[slot] = 1;
        PyBuffer_Release(&C);
        Py_RETURN_NONE;
    }
    Py_INCREF(Py_None);
    ret = Py_None;
done:
    PyBuffer_Release(&A);
    PyBuffer_Release(&B);
    PyBuffer_Release(&C);
    return ret;
}

/* gd(var, delta, alpha, is64, block, nblocks, nthreads): var -= alpha*delta in `nblocks`
 * element ranges of `block` (the last takes the rest) over `nthreads` threads. */
static PyObject *py_gd(PyObject *self, PyObject *args) {
    Py_buffer V, D;
    double alpha;
    int is64, nthreads;
    long long block, nblocks;
    if (!PyArg_ParseTuple(args, "w*y*dpLLi", &V, &D, &alpha, &is64, &block, &nblocks,
                          &nthreads))
        return NULL;
    PyObject *ret = NULL;
    Py_ssize_t item = is64 ? 8 : 4;
    Py_ssize_t n = V.len / item;
    if (V.len % item || D.len != V.len) {
        PyErr_Format(PyExc_ValueError, "gd: var has %zd bytes, delta %zd (%zd-byte items)",
                     V.len, D.len, item);
        goto done;
    }
    if (!tw_check_contig(&V, "var") || !tw_check_contig(&D, "delta")) goto done;
    if (n == 0) {
        Py_INCREF(Py_None);
        ret = Py_None;
        goto done;
    }
    if (block < 1 || nblocks < 1 || block > n || nblocks - 1 > (n - 1) / block) {
        PyErr_Format(PyExc_ValueError, "%lld blocks of %lld elements do not split %zd",
                     nblocks, block, n);
        goto done;
    }
    job_t j = {.kind = JOB_GD, .is64 = is64, .n = n, .block = block, .nblocks = nblocks,
               .A = D.buf, .C = V.buf, .alpha = alpha};
    Py_BEGIN_ALLOW_THREADS
    (void)run_job(&j, nthreads);
    Py_END_ALLOW_THREADS
    Py_INCREF(Py_None);
    ret = Py_None;
done:
    PyBuffer_Release(&V);
    PyBuffer_Release(&D);
    return ret;
}

static PyMethodDef methods[] = {
    {"gd", py_gd, METH_VARARGS,
     "gd(var, delta, alpha, is64, block, nblocks, nthreads): var -= alpha*delta in blocks"},
    {"set_blas", py_set_blas, METH_VARARGS,
     "set_blas(sgemm_address, dgemm_address): the ILP64 cblas_?gemm NumPy uses"},
    {"set_spin", py_set_spin, METH_VARARGS,
     "set_spin(us): how long idle workers spin before sleeping; returns the old value"},
    {"stats", py_stats, METH_NOARGS,
     "{'workers', 'worker_blocks' (run by workers), 'taken_back' (by the caller from late "
     "workers), 'pending_buffers'}"},
    {"set_worker_delay", py_set_worker_delay, METH_VARARGS,
     "set_worker_delay(us): test hook, workers pause before each steal-mode block"},
    {"gemm", py_gemm, METH_VARARGS,
     "gemm(is64, ta, tb, m, n, k, A, lda, B, ldb, C, ldc, block, nblocks, nthreads, steal=False)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_intra", NULL, -1, methods};

PyMODINIT_FUNC PyInit__intra(void) { return PyModule_Create(&module); }
