/*
 * LD_PRELOAD library that makes this process see an x64 CPU with AVX2 but without AVX-512, VNNI (AVX-512 VNNI and
 * AVX-VNNI) and AMX, so ONNX Runtime's kernel dispatch (MLAS) and .NET pick the code paths of an AVX2-only CPU. The
 * benchmarks use it to time the same model files with both kinds of x64 int8 kernels on one machine
 * (tests/ModelBuild.Benchmarks/Avx2Kernels.cs).
 *
 * How: Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID, CPU flag cpuid_fault) turns every CPUID instruction into a
 * SIGSEGV; the handler answers from a table read before faulting was turned on, with those feature bits cleared, and
 * steps over the instruction. The setting is inherited by every thread the process starts. sigaction is wrapped so
 * this handler stays first: a later SIGSEGV handler (the .NET runtime's) gets every fault that is not a CPUID.
 *
 * Build: cc -O2 -shared -fPIC -o cpuid-mask.so cpuid-mask.c -ldl
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define ARCH_SET_CPUID 0x1012
#define SUBLEAVES 64

typedef struct { unsigned leaf, sub, a, b, c, d; } Entry;
typedef int (*SigactionFunction)(int, const struct sigaction*, struct sigaction*);

static Entry table[8192];
static int count;
static struct sigaction next_handler;
static int installed;
static SigactionFunction real_sigaction;

static void record_leaves(unsigned first)
{
    unsigned a, b, c, d;
    __cpuid_count(first, 0, a, b, c, d);
    unsigned last = a >= first && a <= first + 0x40 ? a : first;
    for (unsigned leaf = first; leaf <= last; leaf++)
        for (unsigned sub = 0; sub < SUBLEAVES && count < (int)(sizeof table / sizeof *table); sub++) {
            __cpuid_count(leaf, sub, a, b, c, d);
            table[count++] = (Entry){ leaf, sub, a, b, c, d };
        }
}

static void hide_features(Entry* e)
{
    if (e->leaf == 7 && e->sub == 0) {
        /* AVX-512 F, DQ, IFMA, PF, ER, CD, BW, VL */
        e->b &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
        /* AVX-512 VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ */
        e->c &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
        /* AVX-512 4VNNIW, 4FMAPS, VP2INTERSECT, FP16; AMX BF16, TILE, INT8 */
        e->d &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
    }
    if (e->leaf == 7 && e->sub == 1)
        e->a &= ~((1u << 4) | (1u << 5)); /* AVX-VNNI, AVX-512 BF16 */
}

static const Entry* find(unsigned leaf, unsigned sub)
{
    const Entry* first = NULL;
    for (int i = 0; i < count; i++)
        if (table[i].leaf == leaf) {
            if (table[i].sub == sub) return &table[i];
            if (!first) first = &table[i];
        }
    return first;
}

static void on_segv(int sig, siginfo_t* info, void* context)
{
    greg_t* r = ((ucontext_t*)context)->uc_mcontext.gregs;
    /* A faulting CPUID is a general-protection fault: SI_KERNEL, and the instruction at RIP is 0F A2. */
    if (info->si_code == SI_KERNEL) {
        const unsigned char* ip = (const unsigned char*)r[REG_RIP];
        if (ip[0] == 0x0f && ip[1] == 0xa2) {
            const Entry* e = find((unsigned)r[REG_RAX], (unsigned)r[REG_RCX]);
            r[REG_RAX] = e ? e->a : 0;
            r[REG_RBX] = e ? e->b : 0;
            r[REG_RCX] = e ? e->c : 0;
            r[REG_RDX] = e ? e->d : 0;
            r[REG_RIP] += 2;
            return;
        }
    }
    if (next_handler.sa_handler == SIG_DFL || next_handler.sa_handler == SIG_IGN) {
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        real_sigaction(SIGSEGV, &fallback, NULL); /* returning re-runs the instruction: it faults again, and ends the process */
        return;
    }
    if (next_handler.sa_flags & SA_SIGINFO) next_handler.sa_sigaction(sig, info, context);
    else next_handler.sa_handler(sig);
}

int sigaction(int signal_number, const struct sigaction* action, struct sigaction* old)
{
    if (!real_sigaction) real_sigaction = (SigactionFunction)dlsym(RTLD_NEXT, "sigaction");
    if (signal_number != SIGSEGV || !installed) return real_sigaction(signal_number, action, old);
    if (old) *old = next_handler;
    if (action) {
        next_handler = *action;
        struct sigaction ours = *action;
        ours.sa_sigaction = on_segv;
        ours.sa_flags = action->sa_flags | SA_SIGINFO | SA_NODEFER;
        return real_sigaction(SIGSEGV, &ours, NULL);
    }
    return 0;
}

__attribute__((constructor)) static void start(void)
{
    record_leaves(0);
    record_leaves(0x80000000u);
    for (int i = 0; i < count; i++) hide_features(&table[i]);
    real_sigaction = (SigactionFunction)dlsym(RTLD_NEXT, "sigaction");
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    real_sigaction(SIGSEGV, &action, &next_handler);
    installed = 1;
    if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0) {
        perror("cpuid-mask: arch_prctl(ARCH_SET_CPUID) (needs the cpuid_fault CPU flag)");
        _exit(3);
    }
}
