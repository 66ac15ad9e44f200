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
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXPROCS 64
#define MAXSTEPS 8192
#define MAXREGIONS 256
#define MAXFILES 64
#define PAGE 4096L
#define IOBUF (128 * 1024)

enum kind {
    K_ALLOC = 1, K_TOUCH, K_ACCESS, K_ACCADDR, K_MAPFILE, K_READ, K_WRITE, K_FREE, K_MLOCK, K_SLEEP, K_FORK,
    K_EXIT, K_REPEAT
};

struct step {
    int kind;
    int slot, file, prot, shared, write, exec, pattern;
    long long a, b, c, d;         /* sizes, offsets, counts (meaning per kind, see parse_step) */
    double ratio, alpha;
    unsigned long long addr;
    int body;                     /* repeat: number of flattened steps in the body that follows */
    char name[16];
};

struct proc {
    int idx;
    unsigned long long stream;   /* the simulated pid: the Pcg32 stream */
    long long start_ns;
    int oom_score_adj;
    int first, nsteps;           /* range in steps[] */
    char name[64];
    /* parent-side state */
    pid_t pid;
    int up, go;                  /* pipe ends: child -> parent, parent -> child */
    int started, done, dead, reaped, paused;
    long long base_min, base_maj, min, maj, start_at, end_at;
    int code, sig;
    char msg[8192];
    int msglen;
};

static struct step steps[MAXSTEPS];
static int nsteps_total;
static struct proc procs[MAXPROCS];
static int nprocs;
static char files[MAXFILES][128];
static unsigned long long seed;
static char planbuf[1 << 20];
/* Buffers only the parent uses; the children leave their pages alone (see prefault_self). */
static char vmstat0[65536], procbuf[65536], kmsgrec[8192];

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
static int upfd;
static int dry;   /* twin_exec --pages PLAN: print the pages the access steps visit instead of running (for tests) */
static char cbuf[8192];

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
            for (long long off = 0; off < st->c; off += st->b) access_one(r->base + st->a + off, st->write);
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
                access_one(r->base + page * PAGE, w && !st->exec);
            }
            break;
        }
        case K_ACCADDR:
            /* access to an exact address (c times), mapped or not: that is how segfaults are shown. */
            for (long long k = 0; k < st->c; k++) access_one((unsigned char *)(uintptr_t)st->addr, st->write && !st->exec);
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
        case K_FORK: {
            /* fork: the child shares every page copy-on-write and exits at once; the parent waits for it. */
            pid_t c = fork();
            if (c == 0) {
                if (st->name[0]) prctl(PR_SET_NAME, st->name, 0, 0, 0);
                _exit(0);
            }
            if (c > 0) waitpid(c, NULL, 0);
            break;
        }
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
    return IN(steps) || IN(procs) || IN(planbuf) || IN(vmstat0) || IN(procbuf) || IN(kmsgrec);
#undef IN
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
            && !strstr(line, "[vvar]") && perms[0] == 'r') {
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

static void child_main(struct proc *p)
{
    char path[64];
    long long min0, maj0, min1, maj1;
    int code = -1;
    upfd = p->up;
    prctl(PR_SET_NAME, p->name, 0, 0, 0);            /* the kernel keeps 15 bytes: its log names the process */
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    if (fd >= 0) {
        int n = snprintf(path, sizeof path, "%d", p->oom_score_adj);
        write_all(fd, path, n);
        close(fd);
    }
    pcg_init(&rng, seed, p->stream);
    for (int i = 0; i < IOBUF; i++) iobuf[i] = (unsigned char)(0x41 + i % 26);
    memset(regions, 0, sizeof regions);
    now_ns();
    stat_faults("/proc/self/stat", &min0, &maj0);    /* warm the code path of the readings */
    prefault_self();
    /* The variables the steps write, whole, in case a page of them was skipped with the parent's tables. */
    volatile unsigned char *objs[] = { (void *)&rng, (void *)regions, iobuf, (void *)cbuf, (void *)statbuf, (void *)&sink, (void *)&upfd };
    size_t sizes[] = { sizeof rng, sizeof regions, sizeof iobuf, sizeof cbuf, sizeof statbuf, sizeof sink, sizeof upfd };
    for (int i = 0; i < 7; i++) {
        for (size_t o = 0; o < sizes[i]; o += PAGE) objs[i][o] = objs[i][o];
        objs[i][sizes[i] - 1] = objs[i][sizes[i] - 1];
    }
    errno = 0;                                       /* the TLS block */
    stat_faults("/proc/self/stat", &min0, &maj0);    /* the baseline: the executor's start-up is not counted */
    int n = snprintf(cbuf, sizeof cbuf, "B %lld %lld\n", min0, maj0);
    write_all(upfd, cbuf, n);

    int exited = run_steps(&steps[p->first], p->nsteps, &code);

    stat_faults("/proc/self/stat", &min1, &maj1);    /* after the last step */
    n = snprintf(cbuf, sizeof cbuf, "E %lld %lld %d\n", min1 - min0, maj1 - maj0, exited ? code : -1);
    write_all(upfd, cbuf, n);
    if (!exited) {
        /* No exit step: stay alive, memory held, until the harness has seen every process finish. */
        char c;
        while (read(p->go, &c, 1) < 0 && errno == EINTR) { }
    }
    write_all(upfd, "S\n", 2);                       /* /proc/self/status just before exiting */
    n = read_file("/proc/self/status", cbuf, sizeof cbuf);
    if (n > 0) write_all(upfd, cbuf, n);
    _exit(exited ? code : 0);
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
    else if (!strcmp(kind, "touch")) { st->kind = K_TOUCH; sscanf(rest, "%d %d %lld %lld %lld", &st->slot, &st->write, &st->b, &st->a, &st->c); }
    else if (!strcmp(kind, "access")) {
        st->kind = K_ACCESS;
        char r[64], al[64];
        sscanf(rest, "%d %d %lld %63s %63s %d", &st->slot, &st->pattern, &st->c, r, al, &st->exec);
        st->ratio = strtod(r, NULL);
        st->alpha = strtod(al, NULL);
    }
    else if (!strcmp(kind, "accaddr")) { st->kind = K_ACCADDR; sscanf(rest, "%llu %lld %d %d", &st->addr, &st->c, &st->write, &st->exec); }
    else if (!strcmp(kind, "mapfile")) { st->kind = K_MAPFILE; sscanf(rest, "%d %d %d %d %lld %lld", &st->slot, &st->file, &st->prot, &st->shared, &st->a, &st->b); }
    else if (!strcmp(kind, "read")) { st->kind = K_READ; sscanf(rest, "%d %lld %lld", &st->file, &st->a, &st->b); }
    else if (!strcmp(kind, "write")) { st->kind = K_WRITE; sscanf(rest, "%d %lld %lld", &st->file, &st->a, &st->b); }
    else if (!strcmp(kind, "free")) { st->kind = K_FREE; sscanf(rest, "%d", &st->slot); }
    else if (!strcmp(kind, "mlock")) { st->kind = K_MLOCK; sscanf(rest, "%d", &st->slot); }
    else if (!strcmp(kind, "sleep")) { st->kind = K_SLEEP; sscanf(rest, "%lld", &st->a); }
    else if (!strcmp(kind, "fork")) { st->kind = K_FORK; if (*rest == ' ') snprintf(st->name, sizeof st->name, "%s", rest + 1); }
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

/* Reads what a child sent: B (baseline), E (steps done: faults, exit code), S (then its /proc/self/status). */
static void drain(struct proc *p)
{
    for (;;) {
        if (p->msglen >= (int)sizeof p->msg - 1) p->msglen = sizeof p->msg - 2;
        int n = read(p->up, p->msg + p->msglen, sizeof p->msg - 1 - p->msglen);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { p->dead = 1; break; }
        p->msglen += n;
        p->msg[p->msglen] = 0;
        if (n > 0) break;
    }
    char *e = strstr(p->msg, "\nE ");
    if (!e && !strncmp(p->msg, "E ", 2)) e = p->msg - 1;
    if (e && !p->done && strchr(e + 1, '\n')) {
        sscanf(e + 1, "E %lld %lld %d", &p->min, &p->maj, &p->code);
        p->done = 1;
        p->paused = p->code < 0;
        p->end_at = now_ns() - t0;
    }
    if (!strncmp(p->msg, "B ", 2)) sscanf(p->msg, "B %lld %lld", &p->base_min, &p->base_maj);
}

/* A child whose pipe closed: it exited or was killed. Reads its zombie's fault counts, then reaps it. */
static void bury(struct proc *p)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, p->pid, &si, WEXITED | WNOWAIT);
    if (!p->done) {
        char path[64];
        long long min, maj;
        snprintf(path, sizeof path, "/proc/%d/stat", p->pid);
        if (stat_faults(path, &min, &maj) == 0) { p->min = min - p->base_min; p->maj = maj - p->base_maj; }
        p->end_at = now_ns() - t0;
    }
    int status;
    waitpid(p->pid, &status, 0);
    p->reaped = 1;
    if (WIFSIGNALED(status)) p->sig = WTERMSIG(status);
    else if (!p->paused) p->code = WEXITSTATUS(status);
    close(p->up);
    close(p->go);
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
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);   /* the harness itself is never the OOM victim */
    if (fd >= 0) { write_all(fd, "-1000", 5); close(fd); }
    signal(SIGPIPE, SIG_IGN);
    fd = open("/dev/kmsg", O_WRONLY);                      /* marks the start in the kernel log */
    if (fd >= 0) { write_all(fd, MARK, strlen(MARK)); close(fd); }
    read_file("/proc/vmstat", vmstat0, sizeof vmstat0);   /* the event counters at the start */
    t0 = now_ns();

    int next = 0;              /* procs[] are in start order (the plan sorts them) */
    for (;;) {
        int finished = 0;
        for (int i = 0; i < nprocs; i++) if (procs[i].reaped || procs[i].paused) finished++;
        if (next == nprocs && finished == nprocs) break;
        long long now = now_ns() - t0;
        if (next < nprocs && now >= procs[next].start_ns) {
            struct proc *p = &procs[next++];
            int up[2], go[2];
            if (pipe(up) || pipe(go)) die("pipe");
            p->start_at = now;
            pid_t c = fork();
            if (c == 0) {
                for (int f = 3; f < 1024; f++) if (f != up[1] && f != go[0]) close(f);
                p->up = up[1];
                p->go = go[0];
                child_main(p);
            }
            close(up[1]);
            close(go[0]);
            p->pid = c;
            p->up = up[0];
            p->go = go[1];
            p->started = 1;
            continue;
        }
        struct pollfd fds[MAXPROCS];
        int map[MAXPROCS], nf = 0;
        for (int i = 0; i < nprocs; i++)
            if (procs[i].started && !procs[i].reaped) { fds[nf].fd = procs[i].up; fds[nf].events = POLLIN; map[nf++] = i; }
        struct timespec ts, *tp = NULL;
        if (next < nprocs) {
            long long wait = procs[next].start_ns - now;
            if (wait < 0) wait = 0;
            ts.tv_sec = wait / 1000000000LL;
            ts.tv_nsec = wait % 1000000000LL;
            tp = &ts;
        }
        if (ppoll(fds, nf, tp, NULL) <= 0) continue;
        for (int k = 0; k < nf; k++) {
            if (!fds[k].revents) continue;
            struct proc *p = &procs[map[k]];
            drain(p);
            if (p->dead) bury(p);
        }
    }

    /* Every process has died or finished its steps: the end of the run, as the simulator's. */
    long long end = now_ns() - t0;
    out = fopen(argv[2], "w");
    if (!out) die("cannot open the result device");
    struct utsname u;
    uname(&u);
    fprintf(out, "mmsim-twin 1\nkernel %s\nt0_ns %lld\nend_ns %lld\n", u.release, t0, end);
    copy_proc_file("/proc/meminfo", "meminfo", NULL);
    copy_proc_file("/proc/vmstat", "vmstat", NULL);
    copy_proc_file(NULL, "vmstat0", vmstat0);

    /* Let the processes that stay alive go, after taking their /proc/PID/status. */
    for (int i = 0; i < nprocs; i++) {
        struct proc *p = &procs[i];
        if (p->reaped) continue;
        write_all(p->go, "g", 1);
        while (!p->dead) drain(p);
        bury(p);
    }
    for (int i = 0; i < nprocs; i++) {
        struct proc *p = &procs[i];
        const char *state = p->sig ? "killed" : p->paused ? "running" : "exited";
        fprintf(out, "proc %d pid %d state %s code %d signal %d minflt %lld majflt %lld start_ns %lld end_ns %lld\n",
                p->idx, p->pid, state, p->code < 0 ? 0 : p->code, p->sig, p->min, p->maj, p->start_at, p->end_at);
        char *s = strstr(p->msg, "S\n");
        if (s)
            for (char *line = strtok(s + 2, "\n"); line; line = strtok(NULL, "\n")) {
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
