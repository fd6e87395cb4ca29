/*
 * What every fuzz target shares. A target is one file defining
 * LLVMFuzzerTestOneInput() and asserting its invariants with fuzz_check().
 * Built with --enable-fuzz it links libFuzzer, and a broken invariant
 * aborts, which libFuzzer reports as a crash with the input that did it.
 * Built without, replay.c gives it a main() that runs it over its seed
 * corpus as a TAP test, one check per file.
 */
#ifndef OKTA_FUZZ_H
#define OKTA_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Set by fuzz_check() when an invariant breaks (replay only). */
extern bool fuzz_failed;

/*
 * Assert COND, described by the printf-style FMT: when false, print
 * "invariant broken: ..." on stderr, then abort (libFuzzer) or mark the
 * input failed (replay).
 */
void fuzz_check(bool cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A file holding SIZE bytes of DATA, rewritten on each call, for parsers
 * that read files (known_hosts, ssh_config); removed at exit. Returns its
 * path (static).
 */
const char *fuzz_file(const uint8_t *data, size_t size);

#endif
