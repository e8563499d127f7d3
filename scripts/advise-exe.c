// A measurement aid for scripts/binary-pages.py (docs/performance.md, "What of the binary is
// resident"), loaded with LD_PRELOAD: a constructor calls madvise(ADVISE) on every mapping of
// the main executable (after the loader's relocations, before main).
//
//   cc -O2 -shared -fPIC -o /tmp/advise-exe.so scripts/advise-exe.c
//   python3 scripts/bench-mixed.py --pages NOTE.md -- \
//     env LD_PRELOAD=/tmp/advise-exe.so ADVISE=22 CLEAR=1 target/release/notes-lsp --stdio
//
// ADVISE=22 (MADV_POPULATE_READ) CLEAR=1: every page of the binary mapped, then the accessed
// bits cleared, so that smaps' Referenced counts exactly the pages touched from then on.
// ADVISE unset: MADV_RANDOM (no readahead on the binary's faults).
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

__attribute__((constructor)) static void advise_exe(void) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return;
    exe[n] = 0;
    const char *a = getenv("ADVISE");
    int advice = a ? atoi(a) : MADV_RANDOM;
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char path[4096] = "";
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %4095[^\n]", &lo, &hi, path) >= 2 &&
            strcmp(path, exe) == 0 && madvise((void *)lo, hi - lo, advice) != 0)
            perror("madvise");
    }
    fclose(f);
    const char *c = getenv("CLEAR");
    if (c && *c == '1') {
        FILE *r = fopen("/proc/self/clear_refs", "w");
        if (r) {
            fputs("1", r);
            fclose(r);
        }
    }
}
