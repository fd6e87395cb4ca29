/* Unified diff of two texts, in the format of `diff -u`. */
#ifndef OKTA_DIFF_H
#define OKTA_DIFF_H

#include <stddef.h>

/*
 * The unified diff (3 lines of context) from A to B with the header lines
 * "--- LABEL_A" and "+++ LABEL_B", as GNU `diff -u --label LABEL_A --label
 * LABEL_B` prints it (including "\ No newline at end of file"). Returns
 * NULL when the texts are equal; otherwise a string the caller frees.
 */
char *diff_unified(const char *a, size_t alen, const char *b, size_t blen,
    const char *label_a, const char *label_b);

#endif
