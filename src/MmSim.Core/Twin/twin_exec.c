/*
 * mmsim twin executor: runs a scenario's processes on a real Linux kernel inside the twin VM.
 *
 *   twin_exec PLAN RESULT_DEVICE
 *
 * PLAN is the text written by MmSim.Twin.TwinPlan (one line per item, versioned "mmsim-plan 1"). The parent (the
 * harness) forks one child per scenario process at its start_at time, waits until every child has either died or
 * finished its steps, reads /proc/meminfo and /proc/vmstat, lets the children that stay alive (no exit step) go,
 * and writes the result protocol ("mmsim-twin 1", see docs/twin.md) to RESULT_DEVICE, a raw virtio disk the host
 * reads after the VM powers off.
 *
 * Built by the host's gcc as a static binary (gcc -static -O2 -ffp-contract=off twin_exec.c -lm): no managed
 * runtime, no dynamic loader, so the faults counted are the scenario's. One file on purpose.
 *
 * Fault counting: a child reads /proc/self/stat just before its first step and just after its last one; the
 * difference is its minflt/majflt. Before the first reading it pre-faults everything it will use itself (its
 * binary's pages, its data, a deep stack, its I/O buffer), so that its own code does not add faults to the
 * scenario's numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#define MAXPROCS 64
#define MAXCHILD 64               /* children of fork steps, in all */
#define MAXSTEPS 8192
#define MAXREGIONS 256
#define MAXFILES 64
#define PAGE 4096L
#define IOBUF (128 * 1024)
#define MAXCGROUPS 64
#define MAXCGSETS 512
#define CGROOT "/sys/fs/cgroup"

enum kind {
    K_ALLOC = 1, K_TOUCH, K_ACCESS, K_ACCADDR, K_MAPFILE, K_READ, K_WRITE, K_FREE, K_MLOCK, K_SLEEP, K_FORK,
    K_EXIT, K_REPEAT
};

struct step {
    int kind;
    int slot, file, prot, shared, write, exec, pattern;
    long long a, b, c, d;         /* sizes, offsets, counts (meaning per kind, see parse_step) */
    long long think;              /* touch, access: CPU time before each access (ns) */
    double ratio, alpha;
    unsigned long long addr;
    int body;                     /* repeat, fork: number of flattened steps in the body that follows */
    char name[16];
};

struct proc {
    int idx;
    unsigned long long stream;   /* the simulated pid: the Pcg32 stream */
    long long start_ns;          /* with after >= 0: a delay after that process finished or died */
    int after;                   /* start_after: the scenario index of the process to wait for, or -1 */
    int oom_score_adj;
    int cg;                      /* index in cgpaths[] of its cgroup, or -1: the root cgroup */
    long long kubereq;           /* a Burstable pod's container: its memory request (oom_score_adj from it), else -1 */
    int first, nsteps;           /* range in steps[] */
    char name[64];
    /* parent-side state */
    pid_t pid;                   /* 0: not known yet (a child of a fork step the harness has not heard of) */
    int started, done, reaped, paused, voided;
    long long base_min, base_maj, min, maj, start_at, end_at;
    int code, sig;
    char status[4096];           /* its /proc/self/status, lines joined by '|' */
};

static struct step steps[MAXSTEPS];
static int nsteps_total;
/* procs[0 .. nprocs-1]: the scenario's processes in start order; procs[nprocs + k]: the k-th child of a fork step
   (k from the shared counter, in fork order; its Pcg32 stream is nextpid + k, as the simulator numbers children). */
static struct proc procs[MAXPROCS + MAXCHILD];
static int nprocs;
static unsigned long long nextpid = 1000;
/* A page shared by every process (MAP_SHARED): the fork counter. */
struct shared { int forks; };
static struct shared *shm;
/* Every process writes one-line messages to one pipe (each write below PIPE_BUF, so atomic); the harness lets
   paused processes go through a second one. */
static int upw, gor;
static char files[MAXFILES][128];
/* The scenario's cgroups (pods' included), parents first, and the files the scenario sets in them. */
static char cgpaths[MAXCGROUPS][200];
static int ncgroups;
struct cgset { int cg; char file[32]; char value[32]; };
static struct cgset cgsets[MAXCGSETS];
static int ncgsets;
static unsigned long long seed;
static char planbuf[1 << 20];
/* Buffers only the parent uses; the children leave their pages alone (see prefault_self). */
static char vmstat0[65536], meminfo0[16384], procbuf[65536], kmsgrec[8192], linebuf[1 << 16];

/* ---- the generators, exactly as src/MmSim.Core/Workloads/Generators (docs/scenario-format.md) ---- */

typedef struct { uint64_t state, inc; } pcg32;

static uint32_t pcg_next(pcg32 *r)
{
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t x = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    return (x >> rot) | (x << ((-rot) & 31));
}

static void pcg_init(pcg32 *r, uint64_t s, uint64_t stream)
{
    r->state = 0;
    r->inc = (stream << 1) | 1;
    pcg_next(r);
    r->state += s;
    pcg_next(r);
}

static uint32_t pcg_bounded(pcg32 *r, uint32_t n)
{
    uint64_t m = (uint64_t)pcg_next(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t t = (uint32_t)(0u - n) % n;
        while (low < t) { m = (uint64_t)pcg_next(r) * n; low = (uint32_t)m; }
    }
    return (uint32_t)(m >> 32);
}

static double pcg_double(pcg32 *r) { return pcg_next(r) * (1.0 / 4294967296.0); }

static double log1p_(double x) { double u = 1.0 + x; return u == 1.0 ? x : log(u) * x / (u - 1.0); }
static double expm1_(double x)
{
    double u = exp(x);
    if (u == 1.0) return x;
    double um1 = u - 1.0;
    return um1 == -1.0 ? -1.0 : um1 * x / log(u);
}
static double helper1(double x) { return fabs(x) > 1e-8 ? log1p_(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x)); }
static double helper2(double x) { return fabs(x) > 1e-8 ? expm1_(x) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x)); }
static double zh(double x, double alpha) { return exp(-alpha * log(x)); }
static double zH(double x, double alpha) { double lx = log(x); return helper2((1.0 - alpha) * lx) * lx; }
static double zHinv(double x, double alpha)
{
    double t = x * (1.0 - alpha);
    if (t < -1.0) t = -1.0;
    return exp(helper1(t) * x);
}

typedef struct { long long n; double alpha, hx1, hn, s; } zipf;

static void zipf_init(zipf *z, long long n, double alpha)
{
    z->n = n; z->alpha = alpha;
    z->hx1 = zH(1.5, alpha) - 1.0;
    z->hn = zH(n + 0.5, alpha);
    z->s = 2.0 - zHinv(zH(2.5, alpha) - zh(2.0, alpha), alpha);
}

static long long zipf_sample(zipf *z, pcg32 *r)
{
    for (;;) {
        double u = z->hn + pcg_double(r) * (z->hx1 - z->hn);
        double x = zHinv(u, z->alpha);
        long long k = (long long)(x + 0.5);
        if (k < 1) k = 1; else if (k > z->n) k = z->n;
        if (k - x <= z->s || u >= zH(k + 0.5, z->alpha) - zh((double)k, z->alpha)) return k;
    }
}

/* ---- small helpers (no malloc in the children) ---- */

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(long long ns)
{
    struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) { }
}

static int read_file(const char *path, char *buf, int size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int n = 0, r;
    while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0) n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

static void write_all(int fd, const char *p, int n)
{
    while (n > 0) {
        int w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        p += w; n -= w;
    }
}

/* minflt and majflt of /proc/<pid>/stat: fields 10 and 12 (after the parenthesised comm). */
static char statbuf[2048];

static int stat_faults(const char *path, long long *min, long long *maj)
{
    char *b = statbuf;
    if (read_file(path, b, sizeof statbuf) <= 0) return -1;
    char *p = strrchr(b, ')');
    if (!p) return -1;
    p += 2;                                          /* field 3, the state */
    for (int f = 3; f < 10; f++) { p = strchr(p, ' '); if (!p) return -1; p++; }
    *min = strtoll(p, &p, 10);
    strtoll(p, &p, 10);                              /* cminflt */
    *maj = strtoll(p, &p, 10);
    return 0;
}

/* ---- the child: one scenario process ---- */

struct region { unsigned char *base; long long len; int valid; };
static struct region regions[MAXREGIONS];
static unsigned char iobuf[IOBUF];
static volatile unsigned char sink;
static pcg32 rng;
static int dry;   /* twin_exec --pages PLAN: print the pages the access steps visit instead of running (for tests) */
static char cbuf[8192];

/* CPU work before an access ('think'): a busy wait on the monotonic clock. In a software-emulated VM the clock
   and the CPU run at their own pace, so the amount of work is approximate. */
static inline void think(long long ns)
{
    if (ns <= 0) return;
    long long until = now_ns() + ns;
    while (now_ns() < until) { }
}

/* One access, as the simulator's MMU sees it: a load, or a store of a non-zero byte. */
static inline void access_one(unsigned char *p, int write)
{
    if (write) *(volatile unsigned char *)p = 1;
    else sink = *(volatile unsigned char *)p;
}

/* A region used after its mmap failed: the program would have dereferenced NULL (the simulator sends SIGSEGV). */
static struct region *region(int slot)
{
    if (!regions[slot].valid) { signal(SIGSEGV, SIG_DFL); kill(getpid(), SIGSEGV); }
    return &regions[slot];
}

static void fork_step(struct step *st);

/* Runs n flattened steps; returns 1 when an exit step ended the process (its code in *code). */
static int run_steps(struct step *s, int n, int *code)
{
    for (int i = 0; i < n; i++) {
        struct step *st = &s[i];
        if (dry && st->kind != K_ACCESS && st->kind != K_REPEAT && st->kind != K_EXIT) {
            if (st->kind == K_ALLOC || st->kind == K_MAPFILE) {
                regions[st->slot].valid = 1;
                regions[st->slot].len = st->kind == K_ALLOC ? st->a : st->b;
            }
            if (st->kind == K_FORK) i += st->body;      /* the children's pages are not listed */
            continue;
        }
        switch (st->kind) {
        case K_ALLOC: {
            /* alloc: an anonymous private mapping, lazy (mmap MAP_PRIVATE|MAP_ANONYMOUS). a = length. */
            void *p = mmap(NULL, st->a, st->prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            regions[st->slot].valid = p != MAP_FAILED;
            regions[st->slot].base = p;
            regions[st->slot].len = st->a;
            break;
        }
        case K_TOUCH: {
            /* touch: one access at offset a, a+stride, ... below a+length (b = stride, c = length). */
            struct region *r = region(st->slot);
            for (long long off = 0; off < st->c; off += st->b) {
                think(st->think);
                access_one(r->base + st->a + off, st->write);
            }
            break;
        }
        case K_ACCESS: {
            /* access on a region: c accesses, pages chosen by the pattern (0 sequential, 1 random, 2 zipf), then
               the write decision: write = ratio >= 1 || (ratio > 0 && double() < ratio). An instruction fetch
               (exec) is done as a load. */
            struct region *r = region(st->slot);
            long long pages = (r->len + PAGE - 1) / PAGE;
            zipf z = { 0 };
            if (st->pattern == 2) zipf_init(&z, pages, st->alpha);
            for (long long k = 0; k < st->c; k++) {
                long long page = st->pattern == 0 ? k % pages
                               : st->pattern == 1 ? (long long)pcg_bounded(&rng, (uint32_t)pages)
                               : zipf_sample(&z, &rng) - 1;
                int w = st->ratio >= 1 || (st->ratio > 0 && pcg_double(&rng) < st->ratio);
                if (dry) { printf("%lld %d\n", page, w); continue; }
                think(st->think);
                access_one(r->base + page * PAGE, w && !st->exec);
            }
            break;
        }
        case K_ACCADDR:
            /* access to an exact address (c times), mapped or not: that is how segfaults are shown. */
            for (long long k = 0; k < st->c; k++) {
                think(st->think);
                access_one((unsigned char *)(uintptr_t)st->addr, st->write && !st->exec);
            }
            break;
        case K_MAPFILE: {
            /* map_file: mmap of a file, private (copy on write) or shared. a = offset, b = length. */
            int fd = open(files[st->file], (st->shared && (st->prot & PROT_WRITE)) ? O_RDWR : O_RDONLY);
            void *p = fd < 0 ? MAP_FAILED
                    : mmap(NULL, st->b, st->prot, st->shared ? MAP_SHARED : MAP_PRIVATE, fd, st->a);
            if (fd >= 0) close(fd);
            regions[st->slot].valid = p != MAP_FAILED;
            regions[st->slot].base = p;
            regions[st->slot].len = st->b;
            break;
        }
        case K_READ:
        case K_WRITE: {
            /* read_file / write_file: read(2) or write(2) of [a, a+b) through the page cache, 128 KiB at a time. */
            int fd = open(files[st->file], st->kind == K_READ ? O_RDONLY : O_WRONLY);
            if (fd < 0) break;
            for (long long off = 0; off < st->b;) {
                long long n = st->b - off < IOBUF ? st->b - off : IOBUF;
                ssize_t r = st->kind == K_READ ? pread(fd, iobuf, n, st->a + off) : pwrite(fd, iobuf, n, st->a + off);
                if (r <= 0) break;
                off += r;
            }
            close(fd);
            break;
        }
        case K_FREE:
            /* free: munmap of the whole region. */
            if (regions[st->slot].valid) munmap(regions[st->slot].base, regions[st->slot].len);
            regions[st->slot].valid = 0;
            break;
        case K_MLOCK:
            /* mlock: mlock(2) of the whole region (faults every page in). */
            mlock(region(st->slot)->base, region(st->slot)->len);
            break;
        case K_SLEEP:
            /* sleep: block for a ns. */
            sleep_ns(st->a);
            break;
        case K_FORK:
            /* fork: the child shares every page copy-on-write, runs the body and pauses (or exits); the parent
               goes on at once with the step after the body. */
            fork_step(st);
            i += st->body;
            break;
        case K_EXIT:
            /* exit: the process ends here with this code; later steps are never reached. */
            *code = (int)st->a;
            return 1;
        case K_REPEAT:
            /* repeat: the body (the next `body` flattened steps) a times. */
            for (long long t = 0; t < st->a; t++)
                if (run_steps(st + 1, st->body, code)) return 1;
            i += st->body;
            break;
        }
    }
    return 0;
}

/* Pre-faults a deep stack so that the steps do not grow it. */
static __attribute__((noinline)) void prefault_stack(void)
{
    volatile unsigned char deep[256 * 1024];
    for (size_t i = 0; i < sizeof deep; i += PAGE) deep[i] = 0;
    deep[sizeof deep - 1] = 0;
}

static int parent_only(unsigned long a)
{
#define IN(x) (a >= (unsigned long)(x) && a < (unsigned long)(x) + sizeof(x))
    if (IN(steps) || IN(procs) || IN(planbuf) || IN(vmstat0) || IN(meminfo0) || IN(procbuf) || IN(kmsgrec) || IN(linebuf)
        || IN(cgsets)) return 1;
#undef IN
    if (shm && a >= (unsigned long)shm && a < (unsigned long)shm + PAGE) return 1;   /* the shared counter */
    /* The scenario's regions (a child of a fork step has its parent's): their faults are the scenario's. */
    for (int i = 0; i < MAXREGIONS; i++)
        if (regions[i].valid && a >= (unsigned long)regions[i].base && a < (unsigned long)regions[i].base + regions[i].len)
            return 1;
    return 0;
}

/* Pre-faults every page this process already maps (the binary, its data and bss, heap with the TLS, stack),
   writing the same byte back to writable ones so that copy-on-write after fork happens now, not during the
   steps. The parent's own big tables are left alone: the child only reads pages of them that are already
   mapped, which costs no fault. */
static void prefault_self(void)
{
    static char maps[16384];
    prefault_stack();
    if (read_file("/proc/self/maps", maps, sizeof maps) <= 0) return;
    for (char *line = maps; *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        unsigned long lo, hi;
        char perms[8] = "";
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && !strstr(line, "[vsyscall]")
            && !strstr(line, "[vvar") && perms[0] == 'r') {
            for (unsigned long a = lo; a < hi; a += PAGE) {
                if (parent_only(a)) continue;
                volatile unsigned char *p = (volatile unsigned char *)a;
                unsigned char v = *p;
                if (perms[1] == 'w') *p = v;
            }
        }
        if (!nl) break;
        line = nl + 1;
    }
}

static long long fork_adjust_min, fork_adjust_maj;   /* the parent's own re-faults after its forks */
static int myidx;                                    /* this process's index in the result */

/* One line to the harness, in one write (below PIPE_BUF: lines of several processes never mix). */
static void send(const char *text, int n)
{
    if (n > 4000) n = 4000;
    write_all(upw, text, n);
}

/* Pre-faults what the process uses itself, then reads the baseline of its fault counts and tells the harness
   ("B IDX PID MINFLT MAJFLT"). */
static void baseline(int idx, long long *min0, long long *maj0)
{
    now_ns();
    stat_faults("/proc/self/stat", min0, maj0);      /* warm the code path of the readings */
    __atomic_fetch_add(&shm->forks, 0, __ATOMIC_SEQ_CST);   /* map the shared page, writable */
    prefault_self();
    /* The variables the steps write, whole, in case a page of them was skipped with the parent's tables. */
    volatile unsigned char *objs[] = { (void *)&rng, (void *)regions, iobuf, (void *)cbuf, (void *)statbuf, (void *)&sink, (void *)&upw };
    size_t sizes[] = { sizeof rng, sizeof regions, sizeof iobuf, sizeof cbuf, sizeof statbuf, sizeof sink, sizeof upw };
    for (int i = 0; i < 7; i++) {
        for (size_t o = 0; o < sizes[i]; o += PAGE) objs[i][o] = objs[i][o];
        objs[i][sizes[i] - 1] = objs[i][sizes[i] - 1];
    }
    errno = 0;                                       /* the TLS block */
    stat_faults("/proc/self/stat", min0, maj0);      /* the baseline: the executor's start-up is not counted */
    int n = snprintf(cbuf, sizeof cbuf, "B %d %d %lld %lld\n", idx, (int)getpid(), *min0, *maj0);
    send(cbuf, n);
}

/* Runs the steps of one process (a scenario's or a fork step's child) and ends it: "E IDX MINFLT MAJFLT CODE"
   after the last step, then, for a process without an exit step, a pause until the harness lets it go; then
   "S IDX STATUS" (/proc/self/status, lines joined by '|') and exit. */
static __attribute__((noreturn)) void run_process(int idx, struct step *st, int n, long long min0, long long maj0)
{
    long long min1, maj1;
    int code = -1;
    int exited = run_steps(st, n, &code);
    stat_faults("/proc/self/stat", &min1, &maj1);    /* after the last step */
    int len = snprintf(cbuf, sizeof cbuf, "E %d %lld %lld %d\n", idx, min1 - min0 - fork_adjust_min, maj1 - maj0 - fork_adjust_maj, exited ? code : -1);
    send(cbuf, len);
    if (!exited) {
        /* No exit step: stay alive, memory held, until the harness has seen every process finish. */
        char c;
        while (read(gor, &c, 1) < 0 && errno == EINTR) { }
    }
    len = snprintf(cbuf, sizeof cbuf, "S %d ", idx);
    int m = read_file("/proc/self/status", cbuf + len, 4000 - len - 1);
    if (m > 0) {
        for (int i = len; i < len + m; i++) if (cbuf[i] == '\n') cbuf[i] = '|';
        len += m;
    }
    cbuf[len++] = '\n';
    send(cbuf, len);
    _exit(exited ? code : 0);
}

/* fork step: the k-th child of the run (the shared counter) is cloned with CLONE_PARENT, so that it is the
   harness's child (which reaps it and reads its zombie's faults and signal) while its memory is a copy-on-write
   copy of this process's, exactly as fork() makes it (dup_mmap). The parent then pre-faults its own pages again
   (the fork made them copy-on-write) and takes those faults out of its count, since the simulator's program has
   no executor to fault. The parent says "F IDX PID" (PID -1: the fork failed). */

static void fork_step(struct step *st)
{
    int k = __atomic_fetch_add(&shm->forks, 1, __ATOMIC_SEQ_CST);
    if (k >= MAXCHILD) return;
    int idx = nprocs + k;
    long long x_min, x_maj, y_min, y_maj;
    stat_faults("/proc/self/stat", &x_min, &x_maj);
    long c = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    if (c == 0) {
        long long min0, maj0;
        if (st->name[0]) prctl(PR_SET_NAME, st->name, 0, 0, 0);
        pcg_init(&rng, seed, nextpid + k);
        myidx = idx;
        fork_adjust_min = fork_adjust_maj = 0;
        baseline(idx, &min0, &maj0);
        run_process(idx, st + 1, st->body, min0, maj0);
    }
    prefault_self();
    stat_faults("/proc/self/stat", &y_min, &y_maj);
    fork_adjust_min += y_min - x_min;
    fork_adjust_maj += y_maj - x_maj;
    int n = snprintf(cbuf, sizeof cbuf, "F %d %ld %d %lld %lld\n", idx, c > 0 ? c : -1L, myidx, y_min - x_min, y_maj - x_maj);
    send(cbuf, n);
}

/* MemTotal in bytes: the node capacity the kubelet reads (cadvisor's machine info). */
static long long memtotal_bytes(void)
{
    char buf[4096];
    if (read_file("/proc/meminfo", buf, sizeof buf) <= 0) return 0;
    char *m = strstr(buf, "MemTotal:");
    return m ? strtoll(m + 9, NULL, 10) * 1024 : 0;
}

/* A failure the plan should have ruled out: the message goes to the console and the harness is stopped, so the
   run fails (no result) instead of reporting a scenario that did not run as written. */
static void child_fail(const char *what, const char *path)
{
    fprintf(stderr, "twin_exec: %s %s: %s\n", what, path, strerror(errno));
    kill(getppid(), SIGKILL);
    _exit(3);
}

static void child_main(struct proc *p)
{
    char path[300];
    long long min0, maj0;
    prctl(PR_SET_NAME, p->name, 0, 0, 0);            /* the kernel keeps 15 bytes: its log names the process */
    if (p->kubereq >= 0) {
        /* The kubelet's Burstable oom_score_adj (pkg/kubelet/qos/policy.go GetContainerOOMScoreAdjust):
           1000 - 1000 * request / capacity, int64 arithmetic, clamped to 3..999. */
        long long cap = memtotal_bytes();
        long long adj = cap > 0 ? 1000 - (1000 * p->kubereq) / cap : 999;
        if (adj < 3) adj = 3;
        if (adj == 1000) adj = 999;
        p->oom_score_adj = (int)adj;
    }
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    if (fd >= 0) {
        int n = snprintf(path, sizeof path, "%d", p->oom_score_adj);
        write_all(fd, path, n);
        close(fd);
    }
    pcg_init(&rng, seed, p->stream);
    for (int i = 0; i < IOBUF; i++) iobuf[i] = (unsigned char)(0x41 + i % 26);
    memset(regions, 0, sizeof regions);
    myidx = p->idx;
    baseline(p->idx, &min0, &maj0);
    if (p->cg >= 0) {
        /* Into its cgroup just before its first step (cgroup.procs takes the writer's pid): from here every page
           it faults is charged there. The executor's own pages, copied and pre-faulted by baseline(), stay charged
           where they were (the root cgroup), since charges never move with a task in cgroup v2: the cgroup holds
           the scenario's pages, as the simulated one does. The write uses only pages already faulted. */
        snprintf(path, sizeof path, CGROOT "/%s/cgroup.procs", cgpaths[p->cg]);
        int cfd = open(path, O_WRONLY);
        char pid[24];
        int n = snprintf(pid, sizeof pid, "%d", (int)getpid());
        if (cfd < 0 || write(cfd, pid, n) != n) child_fail("cannot join the cgroup", path);
        close(cfd);
    }
    run_process(p->idx, &steps[p->first], p->nsteps, min0, maj0);
}

/* ---- the plan ---- */

static void die(const char *m) { fprintf(stderr, "twin_exec: %s\n", m); exit(3); }

static void parse_step(char *line, struct step *st)
{
    char kind[16];
    memset(st, 0, sizeof *st);
    if (sscanf(line, "step %15s", kind) != 1) die("bad step line");
    char *rest = line + 5 + strlen(kind);
    if (!strcmp(kind, "alloc")) { st->kind = K_ALLOC; sscanf(rest, "%d %lld %d", &st->slot, &st->a, &st->prot); }
    else if (!strcmp(kind, "touch")) { st->kind = K_TOUCH; sscanf(rest, "%d %d %lld %lld %lld %lld", &st->slot, &st->write, &st->b, &st->a, &st->c, &st->think); }
    else if (!strcmp(kind, "access")) {
        st->kind = K_ACCESS;
        char r[64], al[64];
        sscanf(rest, "%d %d %lld %63s %63s %d %lld", &st->slot, &st->pattern, &st->c, r, al, &st->exec, &st->think);
        st->ratio = strtod(r, NULL);
        st->alpha = strtod(al, NULL);
    }
    else if (!strcmp(kind, "accaddr")) { st->kind = K_ACCADDR; sscanf(rest, "%llu %lld %d %d %lld", &st->addr, &st->c, &st->write, &st->exec, &st->think); }
    else if (!strcmp(kind, "mapfile")) { st->kind = K_MAPFILE; sscanf(rest, "%d %d %d %d %lld %lld", &st->slot, &st->file, &st->prot, &st->shared, &st->a, &st->b); }
    else if (!strcmp(kind, "read")) { st->kind = K_READ; sscanf(rest, "%d %lld %lld", &st->file, &st->a, &st->b); }
    else if (!strcmp(kind, "write")) { st->kind = K_WRITE; sscanf(rest, "%d %lld %lld", &st->file, &st->a, &st->b); }
    else if (!strcmp(kind, "free")) { st->kind = K_FREE; sscanf(rest, "%d", &st->slot); }
    else if (!strcmp(kind, "mlock")) { st->kind = K_MLOCK; sscanf(rest, "%d", &st->slot); }
    else if (!strcmp(kind, "sleep")) { st->kind = K_SLEEP; sscanf(rest, "%lld", &st->a); }
    else if (!strcmp(kind, "fork")) {
        int off = 0;
        st->kind = K_FORK;
        if (sscanf(rest, "%d %n", &st->body, &off) < 1) die("bad fork step");
        snprintf(st->name, sizeof st->name, "%s", rest + off);
    }
    else if (!strcmp(kind, "exit")) { st->kind = K_EXIT; sscanf(rest, "%lld", &st->a); }
    else if (!strcmp(kind, "repeat")) { st->kind = K_REPEAT; sscanf(rest, "%lld %d", &st->a, &st->body); }
    else die("unknown step");
    if (st->slot < 0 || st->slot >= MAXREGIONS || st->file < 0 || st->file >= MAXFILES) die("bad slot");
}

static void load_plan(const char *path)
{
    if (read_file(path, planbuf, sizeof planbuf) <= 0) die("cannot read the plan");
    char *save, *line = strtok_r(planbuf, "\n", &save);
    if (!line || strcmp(line, "mmsim-plan 1")) die("not a version 1 plan");
    struct proc *cur = NULL;
    while ((line = strtok_r(NULL, "\n", &save))) {
        if (!strncmp(line, "seed ", 5)) seed = strtoull(line + 5, NULL, 10);
        else if (!strncmp(line, "nextpid ", 8)) nextpid = strtoull(line + 8, NULL, 10);
        else if (!strncmp(line, "file ", 5)) {
            int i, off = 0;
            if (sscanf(line, "file %d %n", &i, &off) < 1 || i < 0 || i >= MAXFILES) die("bad file line");
            snprintf(files[i], sizeof files[i], "%s", line + off);
        }
        else if (!strncmp(line, "proc ", 5)) {
            if (nprocs == MAXPROCS) die("too many processes");
            cur = &procs[nprocs++];
            int off = 0;
            if (sscanf(line, "proc %d %llu %lld %d %n", &cur->idx, &cur->stream, &cur->start_ns, &cur->oom_score_adj, &off) < 4)
                die("bad proc line");
            snprintf(cur->name, sizeof cur->name, "%s", line + off);
            cur->first = nsteps_total;
            cur->after = -1;
            cur->cg = -1;
            cur->kubereq = -1;
        }
        else if (!strncmp(line, "cgroup ", 7)) {
            int i, off = 0;
            if (sscanf(line, "cgroup %d %n", &i, &off) < 1 || i != ncgroups || i >= MAXCGROUPS) die("bad cgroup line");
            snprintf(cgpaths[ncgroups++], sizeof cgpaths[0], "%s", line + off);
        }
        else if (!strncmp(line, "cgset ", 6)) {
            struct cgset *c = &cgsets[ncgsets];
            if (ncgsets == MAXCGSETS || sscanf(line, "cgset %d %31s %31s", &c->cg, c->file, c->value) != 3
                || c->cg < 0 || c->cg >= ncgroups) die("bad cgset line");
            ncgsets++;
        }
        else if (!strncmp(line, "cg ", 3)) {
            if (!cur || sscanf(line, "cg %d", &cur->cg) != 1 || cur->cg < 0 || cur->cg >= ncgroups) die("bad cg line");
        }
        else if (!strncmp(line, "kubereq ", 8)) {
            if (!cur || sscanf(line, "kubereq %lld", &cur->kubereq) != 1) die("bad kubereq line");
        }
        else if (!strncmp(line, "after ", 6)) {
            if (!cur || sscanf(line, "after %d", &cur->after) != 1) die("bad after line");
        }
        else if (!strncmp(line, "step ", 5)) {
            if (!cur || nsteps_total == MAXSTEPS) die("step outside a process, or too many steps");
            parse_step(line, &steps[nsteps_total++]);
            cur->nsteps++;
        }
    }
}

/* ---- the parent: the harness ---- */

#define MARK "mmsim-twin: the scenario starts"
static FILE *out;
static long long t0;

/* Writes "TAG key value" for each "key value" or "key: value kB" line of a /proc file (or of text read before). */
static void copy_proc_file(const char *path, const char *tag, char *text)
{
    if (!text) { if (read_file(path, procbuf, sizeof procbuf) <= 0) return; text = procbuf; }
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char key[64];
        long long v;
        if (sscanf(line, "%63[^: ]%*[: ]%lld", key, &v) == 2) fprintf(out, "%s %s %lld\n", tag, key, v);
    }
}

/* Dead children the harness had not heard of yet (a fork step's child killed before it said anything). */
struct orphan { pid_t pid; long long min, maj, end_at; int code, sig, claimed; char comm[16]; };
static struct orphan orphans[MAXCHILD];
static int norphans;
static int linelen;

static struct proc *by_index(int idx)
{
    if (idx < 0 || idx >= nprocs + MAXCHILD) return NULL;
    /* The scenario's processes sit in start order, not scenario order; fork children at their own index. */
    if (idx < nprocs) { for (int i = 0; i < nprocs; i++) if (procs[i].idx == idx) return &procs[i]; return NULL; }
    return &procs[idx];
}

static struct proc *by_pid(pid_t pid)
{
    for (int i = 0; i < nprocs + MAXCHILD; i++) if (procs[i].pid == pid) return &procs[i];
    return NULL;
}

static void take_orphan(struct proc *p)
{
    for (int i = 0; i < norphans; i++) {
        struct orphan *o = &orphans[i];
        if (o->claimed || o->pid != p->pid) continue;
        o->claimed = 1;
        p->min = o->min - p->base_min;
        p->maj = o->maj - p->base_maj;
        p->end_at = o->end_at;
        p->code = o->code;
        p->sig = o->sig;
        p->reaped = 1;
        memcpy(p->name, o->comm, sizeof o->comm);
    }
}

/* A child of a fork step heard of for the first time (from its parent's F or its own B). */
static void know(struct proc *p, int idx, pid_t pid)
{
    if (p->pid) return;
    p->idx = idx;
    p->pid = pid;
    p->started = 1;
    p->start_at = now_ns() - t0;
    p->code = -1;
    take_orphan(p);
}

/* One line from a process: B (baseline), E (steps done: faults, exit code), F (a fork), S (its status). */
static void handle(char *line)
{
    int idx, code, parent;
    long pid;
    long long a, b;
    struct proc *p;
    if (sscanf(line, "B %d %ld %lld %lld", &idx, &pid, &a, &b) == 4 && (p = by_index(idx))) {
        know(p, idx, (pid_t)pid);
        p->base_min = a;
        p->base_maj = b;
    }
    else if (sscanf(line, "E %d %lld %lld %d", &idx, &a, &b, &code) == 4 && (p = by_index(idx)) && !p->done) {
        p->min = a;
        p->maj = b;
        p->code = code;
        p->done = 1;
        p->paused = code < 0;
        p->end_at = now_ns() - t0;
    }
    else if (sscanf(line, "F %d %ld %d %lld %lld", &idx, &pid, &parent, &a, &b) == 5 && (p = by_index(idx))) {
        if (pid < 0) p->voided = 1;
        else know(p, idx, (pid_t)pid);
        struct proc *q = by_index(parent);
        if (q) { q->base_min += a; q->base_maj += b; }   /* the parent's own re-faults after the fork */
    }
    else if (sscanf(line, "S %d", &idx) == 1 && (p = by_index(idx))) {
        char *t = strchr(line + 2, ' ');
        if (t) snprintf(p->status, sizeof p->status, "%s", t + 1);
    }
}

/* Reads every complete line waiting in the pipe. */
static void drain(int fd)
{
    for (;;) {
        int n = read(fd, linebuf + linelen, sizeof linebuf - 1 - linelen);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        linelen += n;
        linebuf[linelen] = 0;
        char *start = linebuf, *nl;
        while ((nl = strchr(start, '\n'))) {
            *nl = 0;
            handle(start);
            start = nl + 1;
        }
        linelen -= (int)(start - linebuf);
        memmove(linebuf, start, linelen);
        if (linelen >= (int)sizeof linebuf - 1) linelen = 0;
    }
}

/* A child that died: reads its zombie's fault counts and signal, then reaps it. */
static void bury(pid_t pid)
{
    struct proc *p = by_pid(pid);
    char path[64];
    long long min = 0, maj = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int have = stat_faults(path, &min, &maj) == 0;
    char comm[16] = "";                              /* a fork step's child: its name, from the zombie */
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    if (read_file(path, comm, sizeof comm) > 0) comm[strcspn(comm, "\n")] = 0;
    int status = 0;
    waitpid(pid, &status, 0);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (!p) {
        if (norphans < MAXCHILD)
        {
            orphans[norphans] = (struct orphan){ pid, min, maj, now_ns() - t0, WIFEXITED(status) ? WEXITSTATUS(status) : 0, sig, 0, "" };
            memcpy(orphans[norphans++].comm, comm, sizeof comm);
        }
        return;
    }
    if (p->idx >= nprocs) memcpy(p->name, comm, sizeof comm);
    if (!p->done) {
        if (have) { p->min = min - p->base_min; p->maj = maj - p->base_maj; }
        p->end_at = now_ns() - t0;
    }
    p->reaped = 1;
    p->sig = sig;
    if (!sig && !p->paused) p->code = WEXITSTATUS(status);
}

/* Everything the processes said, then every child that died. */
static void pump(int fd)
{
    drain(fd);
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0) break;
        bury(si.si_pid);
    }
}

/* Every process started has died, paused or exited, and every fork step's child is accounted for. */
static int all_finished(int started_all)
{
    if (!started_all) return 0;
    int forks = __atomic_load_n(&shm->forks, __ATOMIC_SEQ_CST);
    if (forks > MAXCHILD) forks = MAXCHILD;
    int unknown = 0;
    for (int i = 0; i < nprocs + forks; i++) {
        struct proc *p = &procs[i];
        if (p->voided || p->reaped || p->paused) continue;
        if (i >= nprocs && !p->pid) { unknown++; continue; }
        return 0;
    }
    if (!unknown) return 1;
    /* Children never heard of while everything else is over: died before they or their parent could say
       anything (matched with the unclaimed dead in pid order, that is fork order), or never born. */
    for (int i = nprocs; i < nprocs + forks; i++) {
        struct proc *p = &procs[i];
        if (p->pid || p->voided) continue;
        int best = -1;
        for (int o = 0; o < norphans; o++)
            if (!orphans[o].claimed && (best < 0 || orphans[o].pid < orphans[best].pid)) best = o;
        if (best < 0) { p->voided = 1; continue; }
        know(p, i, orphans[best].pid);
    }
    return 1;
}

static void on_sigchld(int sig) { (void)sig; }

static void cg_die(const char *what, const char *path)
{
    fprintf(stderr, "twin_exec: %s %s: %s\n", what, path, strerror(errno));
    exit(3);
}

static void cg_write(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0) cg_die("cannot open", path);
    if (write(fd, value, strlen(value)) < 0) { fprintf(stderr, "twin_exec: writing %s:", value); cg_die(" cannot write", path); }
    close(fd);
}

/* The scenario's cgroups, made as systemd or the kubelet makes them on cgroup v2: cgroup2 mounted at
   /sys/fs/cgroup, the memory controller enabled in each parent's cgroup.subtree_control ("+memory") before the
   child is made, then the child's memory files written. Parents come first in the plan. */
static void setup_cgroups(void)
{
    char path[300], parent[200];
    if (!ncgroups) return;
    if (mount("cgroup2", CGROOT, "cgroup2", 0, NULL) != 0 && errno != EBUSY) cg_die("cannot mount cgroup2 at", CGROOT);
    for (int i = 0; i < ncgroups; i++) {
        snprintf(parent, sizeof parent, "%s", cgpaths[i]);
        char *slash = strrchr(parent, '/');
        if (slash) *slash = 0; else parent[0] = 0;
        snprintf(path, sizeof path, CGROOT "%s%s/cgroup.subtree_control", parent[0] ? "/" : "", parent);
        cg_write(path, "+memory");
        snprintf(path, sizeof path, CGROOT "/%s", cgpaths[i]);
        if (mkdir(path, 0755) != 0 && errno != EEXIST) cg_die("cannot make the cgroup", path);
    }
    for (int i = 0; i < ncgsets; i++) {
        char value[32];
        /* "memtotal": the kubelet's kubepods memory.max, the node's capacity (no reserved memory) */
        if (!strcmp(cgsets[i].value, "memtotal")) snprintf(value, sizeof value, "%lld", memtotal_bytes());
        else snprintf(value, sizeof value, "%s", cgsets[i].value);
        snprintf(path, sizeof path, CGROOT "/%s/%s", cgpaths[cgsets[i].cg], cgsets[i].file);
        cg_write(path, value);
    }
}

/* Waits (25 ms at a time, at most 1 s) until no cgroup's memory.current changes between two readings: a task
   just reaped may still have memory being given back (seen once after a group OOM kill: the parent read 6 MB above
   its children's sum), while the simulator frees a dead task's memory at once. Only with cgroups. */
static void settle_cgroups(void)
{
    static long long last[MAXCGROUPS];
    char path[300], buf[64];
    for (int round = 0; ncgroups && round < 40; round++) {
        int changed = 0;
        for (int i = 0; i < ncgroups; i++) {
            snprintf(path, sizeof path, CGROOT "/%s/memory.current", cgpaths[i]);
            long long v = read_file(path, buf, sizeof buf) > 0 ? strtoll(buf, NULL, 10) : -1;
            if (round == 0 || v != last[i]) changed = 1;
            last[i] = v;
        }
        if (!changed) return;
        sleep_ns(25000000);
    }
}

/* Each cgroup's memory files at the end of the run ("cgroup", "cgfile", "cgkv", "cgline" lines; docs/twin.md),
   and the machine's /proc/pressure/memory ("pressure" lines). */
static void report_cgroups(void)
{
    static const char *single[] = { "memory.max", "memory.high", "memory.low", "memory.min", "memory.swap.max",
        "memory.oom.group", "memory.current", "memory.peak", "memory.swap.current" };
    static const char *kv[] = { "memory.events", "memory.events.local", "memory.stat", "memory.swap.events" };
    char path[300];
    if (!ncgroups) return;
    for (int i = 0; i < ncgroups; i++) {
        fprintf(out, "cgroup %d %s\n", i, cgpaths[i]);
        for (unsigned f = 0; f < sizeof single / sizeof *single; f++) {
            snprintf(path, sizeof path, CGROOT "/%s/%s", cgpaths[i], single[f]);
            if (read_file(path, procbuf, sizeof procbuf) <= 0) continue;
            procbuf[strcspn(procbuf, "\n")] = 0;
            fprintf(out, "cgfile %d %s %s\n", i, single[f], procbuf);
        }
        for (unsigned f = 0; f < sizeof kv / sizeof *kv; f++) {
            snprintf(path, sizeof path, CGROOT "/%s/%s", cgpaths[i], kv[f]);
            if (read_file(path, procbuf, sizeof procbuf) <= 0) continue;
            for (char *line = strtok(procbuf, "\n"); line; line = strtok(NULL, "\n")) {
                char key[64];
                long long v;
                if (sscanf(line, "%63s %lld", key, &v) == 2) fprintf(out, "cgkv %d %s %s %lld\n", i, kv[f], key, v);
            }
        }
        snprintf(path, sizeof path, CGROOT "/%s/memory.pressure", cgpaths[i]);
        if (read_file(path, procbuf, sizeof procbuf) > 0)
            for (char *line = strtok(procbuf, "\n"); line; line = strtok(NULL, "\n"))
                fprintf(out, "cgline %d memory.pressure %s\n", i, line);
    }
    if (read_file("/proc/pressure/memory", procbuf, sizeof procbuf) > 0)
        for (char *line = strtok(procbuf, "\n"); line; line = strtok(NULL, "\n"))
            fprintf(out, "pressure %s\n", line);
}

/* ---- calibration: what this VM's CPU and disk cost, so that compare can give the simulated machine the same
   speed (docs/twin.md, "The VM's speed"). Run by the harness before the scenario: the pages are freed again and
   the disk area lies beyond the result text (RESULT_DEVICE is CAL_OFF + CAL_LEN bytes long). ---- */
#define CAL_PAGES 2048
#define CAL_ACCESSES 200000
#define CAL_OFF (16L << 20)
#define CAL_LEN (4L << 20)
#define CAL_REQ (32 * PAGE)           /* one swap write request: SWAP_CLUSTER_MAX pages */
static long long cal_fault_ns, cal_access_ns, cal_write_ns, cal_read_ns;

static void calibrate(const char *dev)
{
    unsigned char *m = mmap(NULL, CAL_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    long long t = now_ns();
    for (long i = 0; i < CAL_PAGES; i++) access_one(m + i * PAGE, 1);    /* a touch: one fault per page */
    cal_fault_ns = (now_ns() - t) / CAL_PAGES;
    pcg32 r;
    pcg_init(&r, 1, 1);
    t = now_ns();
    for (long i = 0; i < CAL_ACCESSES; i++)                               /* an access step, pattern random */
        access_one(m + (long)pcg_bounded(&r, CAL_PAGES) * PAGE, 0);
    cal_access_ns = (now_ns() - t) / CAL_ACCESSES;
    munmap(m, CAL_PAGES * PAGE);
    int fd = open(dev, O_RDWR | O_DIRECT);
    void *buf = NULL;
    if (fd < 0 || posix_memalign(&buf, PAGE, CAL_REQ)) { if (fd >= 0) close(fd); return; }
    memset(buf, 0, CAL_REQ);
    int nw = (int)(CAL_LEN / CAL_REQ), nr = 256;
    t = now_ns();
    for (int i = 0; i < nw; i++) if (pwrite(fd, buf, CAL_REQ, CAL_OFF + (long)i * CAL_REQ) != CAL_REQ) break;
    fdatasync(fd);
    cal_write_ns = (now_ns() - t) / nw;
    t = now_ns();
    for (int i = 0; i < nr; i++)
        if (pread(fd, buf, PAGE, CAL_OFF + (long)pcg_bounded(&r, (uint32_t)(CAL_LEN / PAGE)) * PAGE) != PAGE) break;
    cal_read_ns = (now_ns() - t) / nr;
    free(buf);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 3) die("usage: twin_exec PLAN RESULT_DEVICE | twin_exec --pages PLAN");
    if (!strcmp(argv[1], "--pages")) {
        dry = 1;
        load_plan(argv[2]);
        for (int i = 0; i < nprocs; i++) {
            int code;
            printf("proc %d\n", procs[i].idx);
            pcg_init(&rng, seed, procs[i].stream);
            run_steps(&steps[procs[i].first], procs[i].nsteps, &code);
        }
        return 0;
    }
    load_plan(argv[1]);
    calibrate(argv[2]);
    setup_cgroups();
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);   /* the harness itself is never the OOM victim */
    if (fd >= 0) { write_all(fd, "-1000", 5); close(fd); }
    signal(SIGPIPE, SIG_IGN);
    shm = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED) die("mmap of the shared page");
    int up[2], go[2];
    if (pipe(up) || pipe(go)) die("pipe");
    fcntl(up[0], F_SETFL, O_NONBLOCK);
    sigset_t chld, orig;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    signal(SIGCHLD, on_sigchld);                           /* a death interrupts ppoll (blocked otherwise) */
    sigprocmask(SIG_BLOCK, &chld, &orig);
    fd = open("/dev/kmsg", O_WRONLY);                      /* marks the start in the kernel log */
    if (fd >= 0) { write_all(fd, MARK, strlen(MARK)); close(fd); }
    read_file("/proc/vmstat", vmstat0, sizeof vmstat0);   /* the event counters at the start */
    read_file("/proc/meminfo", meminfo0, sizeof meminfo0); /* the kernel's own memory before the scenario */
    long long hmin0 = 0, hmaj0 = 0, imin0 = 0, imaj0 = 0;  /* the harness's and init's own faults from here on */
    stat_faults("/proc/self/stat", &hmin0, &hmaj0);
    stat_faults("/proc/1/stat", &imin0, &imaj0);
    t0 = now_ns();
    for (int k = 0; k < MAXCHILD; k++) {
        procs[nprocs + k].idx = nprocs + k;
        procs[nprocs + k].code = -1;
    }

    int nstarted = 0;          /* procs[] are in start order (the plan sorts them); start_after ones wait */
    for (;;) {
        pump(up[0]);
        if (all_finished(nstarted == nprocs)) break;
        long long now = now_ns() - t0, soonest = -1;
        struct proc *p = NULL;
        for (int i = 0; i < nprocs && !p; i++) {
            struct proc *q = &procs[i];
            if (q->started) continue;
            long long at = q->start_ns;
            if (q->after >= 0) {
                struct proc *a = by_index(q->after);
                if (!a || !(a->reaped || a->paused || a->voided)) continue;   /* still running: a message will wake us */
                at += a->end_at;
            }
            if (now >= at) p = q;
            else if (soonest < 0 || at < soonest) soonest = at;
        }
        if (p) {
            p->start_at = now;
            pid_t c = fork();
            if (c == 0) {
                sigprocmask(SIG_SETMASK, &orig, NULL);
                signal(SIGCHLD, SIG_DFL);
                for (int f = 3; f < 1024; f++) if (f != up[1] && f != go[0]) close(f);
                upw = up[1];
                gor = go[0];
                child_main(p);
            }
            p->pid = c;
            p->started = 1;
            nstarted++;
            continue;
        }
        struct pollfd pf = { up[0], POLLIN, 0 };
        struct timespec ts, *tp = NULL;
        if (soonest >= 0) {
            long long wait = soonest - now;
            if (wait < 0) wait = 0;
            ts.tv_sec = wait / 1000000000LL;
            ts.tv_nsec = wait % 1000000000LL;
            tp = &ts;
        }
        ppoll(&pf, 1, tp, &orig);
    }

    /* Every process has died or finished its steps: the end of the run, as the simulator's. */
    long long end = now_ns() - t0;
    settle_cgroups();
    out = fopen(argv[2], "w");
    if (!out) die("cannot open the result device");
    struct utsname u;
    uname(&u);
    fprintf(out, "mmsim-twin 1\nkernel %s\nt0_ns %lld\nend_ns %lld\n", u.release, t0, end);
    fprintf(out, "calibration fault_ns %lld access_ns %lld swap_write_ns %lld disk_read_ns %lld\n",
            cal_fault_ns, cal_access_ns, cal_write_ns, cal_read_ns);
    copy_proc_file("/proc/meminfo", "meminfo", NULL);
    copy_proc_file("/proc/vmstat", "vmstat", NULL);
    copy_proc_file(NULL, "vmstat0", vmstat0);
    copy_proc_file(NULL, "meminfo0", meminfo0);
    report_cgroups();
    {
        /* Major faults of the twin's own processes (this harness and PID 1) during the run: their pages are
           swapped out and read back too, which no simulated process has. compare takes them out of pgmajfault. */
        long long hmin1 = hmin0, hmaj1 = hmaj0, imin1 = imin0, imaj1 = imaj0;
        stat_faults("/proc/self/stat", &hmin1, &hmaj1);
        stat_faults("/proc/1/stat", &imin1, &imaj1);
        fprintf(out, "harness_majflt %lld\n", (hmaj1 - hmaj0) + (getpid() == 1 ? 0 : imaj1 - imaj0));
    }

    /* Let the processes that stay alive go (each sends its /proc/self/status first), and wait for them. */
    int total = nprocs + (shm->forks < MAXCHILD ? shm->forks : MAXCHILD);
    for (int i = 0; i < total; i++)
        if (procs[i].pid > 0 && !procs[i].reaped && !procs[i].voided) write_all(go[1], "g", 1);
    for (;;) {
        pump(up[0]);
        int left = 0;
        for (int i = 0; i < total; i++) if (procs[i].pid > 0 && !procs[i].reaped && !procs[i].voided) left++;
        if (!left) break;
        struct pollfd pf = { up[0], POLLIN, 0 };
        struct timespec ts = { 0, 100000000 };
        ppoll(&pf, 1, &ts, &orig);
    }
    for (int i = 0; i < total; i++) {
        struct proc *p = &procs[i];
        if (p->voided || p->pid <= 0) continue;
        const char *state = p->sig ? "killed" : p->paused ? "running" : "exited";
        fprintf(out, "proc %d pid %d state %s code %d signal %d minflt %lld majflt %lld start_ns %lld end_ns %lld comm %s\n",
                p->idx, p->pid, state, p->code < 0 ? 0 : p->code, p->sig, p->min, p->maj, p->start_at, p->end_at, p->name);
        for (char *line = strtok(p->status, "|"); line; line = strtok(NULL, "|")) {
            char key[64];
            long long v;
            if (sscanf(line, "%63[^:]:%lld kB", key, &v) == 2 && strstr(line, " kB"))
                fprintf(out, "status %d %s %lld\n", p->idx, key, v);
        }
    }

    /* The kernel log since the scenario started (OOM kills, segfaults): /dev/kmsg records
       "prio,seq,usec,flags;text", from the mark written at t0; times are relative to the mark. */
    int k = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
    if (k >= 0) {
        char *rec = kmsgrec;
        int n;
        long long mark = -1;
        while ((n = read(k, rec, sizeof kmsgrec - 1)) > 0 || (n < 0 && errno == EPIPE)) {
            if (n <= 0) continue;
            rec[n] = 0;
            int prio;
            unsigned long long seq, usec;
            char *semi = strchr(rec, ';');
            if (!semi || sscanf(rec, "%d,%llu,%llu", &prio, &seq, &usec) != 3) continue;
            char *nl = strchr(semi, '\n');
            if (nl) *nl = 0;
            if (mark < 0) { if (strstr(semi + 1, MARK)) mark = (long long)usec * 1000; continue; }
            fprintf(out, "kmsg %lld %d %s\n", (long long)usec * 1000 - mark, prio & 7, semi + 1);
        }
        close(k);
    }
    fprintf(out, "end\n");
    fflush(out);
    fsync(fileno(out));
    fclose(out);
    return 0;
}
