/* What a fleet run tells the person: diffs, binding changes, a summary. */
#ifndef OKTA_REPORT_H
#define OKTA_REPORT_H

#include <stdio.h>

#include "fleet.h"

/* The diffs, binding changes and manifests of the plan (for --dry-run). */
void report_plan_text(const struct fleet *f, FILE *out);

/*
 * The summary table: node, role, version, result; then the bindings. With
 * STATUS, worded for `status` (drifted, not pending).
 */
void report_summary_text(const struct fleet *f, FILE *out, bool status);

/*
 * After a run that ended well: what changed, per node and for the bindings
 * ("changed: ..."), or "nothing to change: every node is in sync".
 */
void report_changes_text(const struct fleet *f, FILE *out);

/*
 * Print every node error and the bindings error to stderr, each crash
 * loop's journal lines below its node's error.
 */
void report_errors(const struct fleet *f);

/* Warn once when RBAC replaces AlwaysAllow on some node. */
void report_always_allow(const struct fleet *f);

/* The same facts as one JSON document on OUT. */
void report_json(const struct fleet *f, const char *command, bool dry_run,
    int exit_code, FILE *out);

#endif
