/* Diffs, binding changes and summaries, as text or JSON. */
#include "build-config.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "report.h"

static const char *
binding_ref(const struct binding_change *bc, char *buf, size_t len)
{
	if (bc->namespace != NULL)
		snprintf(buf, len, "%s %s/%s", bc->kind, bc->namespace,
		    bc->name);
	else
		snprintf(buf, len, "%s %s", bc->kind, bc->name);
	return buf;
}

static void
report_binding_line(const struct binding_change *bc, FILE *out)
{
	char	ref[512];

	binding_ref(bc, ref, sizeof ref);
	switch (bc->action) {
	case BINDING_UNCHANGED:
		fprintf(out, "  = %s: unchanged\n", ref);
		break;
	case BINDING_CREATE:
		fprintf(out, "  + %s: create\n", ref);
		break;
	case BINDING_UPDATE:
		fprintf(out, "  ~ %s: update subjects\n", ref);
		break;
	case BINDING_RECREATE:
		fprintf(out, "  ~ %s: delete and create again (role %s -> "
		    "%s)\n", ref, bc->old_role ? bc->old_role : "?",
		    bc->role);
		break;
	case BINDING_DELETE:
		fprintf(out, "  - %s: delete (no longer in the config)\n", ref);
		break;
	}
}

void
report_plan_text(const struct fleet *f, FILE *out)
{
	const struct binding_plan	*bp = &f->bindings;
	size_t				 i;
	char				*clean;

	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result != NODE_RESULT_PENDING)
			continue;
		if (f->nodes[i].diff != NULL) {
			clean = output_clean(f->nodes[i].diff);
			fputs(clean, out);
			free(clean);
		}
		if (f->nodes[i].plan.ca_change)
			fprintf(out, "%s: write '%s' (the issuer's CA)\n",
			    f->nodes[i].node->name, NODE_CA_PATH);
	}
	if (bp->n == 0)
		return;
	fputs("bindings:\n", out);
	for (i = 0; i < bp->n; i++)
		report_binding_line(&bp->changes[i], out);
	for (i = 0; i < bp->n; i++) {
		if (bp->changes[i].manifest == NULL ||
		    bp->changes[i].action == BINDING_UNCHANGED)
			continue;
		fputs("---\n", out);
		fputs(bp->changes[i].manifest, out);
	}
}

/* Column widths for the summary table. */
static int
width_of(const struct fleet *f, int col)
{
	const struct node	*n;
	size_t			 i, w = col == 0 ? 4 : 7, len;

	for (i = 0; i < f->n; i++) {
		n = f->nodes[i].node;
		if (col == 0)
			len = strlen(n->name);
		else if (col == 1)
			len = strlen(node_role_name(n->role));
		else
			len = n->version != NULL ? strlen(n->version) : 1;
		if (len > w)
			w = len;
	}
	return (int)w;
}

/* A binding's line in the summary: what was done, or what is pending. */
static const char *
binding_state(const struct binding_change *bc, bool status)
{
	if (bc->result != NULL)
		return bc->result;
	if (bc->action == BINDING_UNCHANGED)
		return status ? "in sync" : "unchanged";
	if (!status)
		return "not applied";
	switch (bc->action) {
	case BINDING_CREATE:
		return "drifted: missing";
	case BINDING_DELETE:
		return "drifted: no longer in the config";
	default:
		return "drifted";
	}
}

/*
 * Is FN a control-plane node whose /readyz did not say ok, and that no
 * restart of this run has waited for since?
 */
static bool
report_not_ready(const struct fleet_node *fn)
{
	if (fn->node->role != NODE_ROLE_CONTROL_PLANE || fn->node->ready)
		return false;
	switch (fn->result) {
	case NODE_RESULT_IN_SYNC:
	case NODE_RESULT_PENDING:
	case NODE_RESULT_NOT_REACHED:
	case NODE_RESULT_FAILED:
	case NODE_RESULT_NO_BACKUP:
		return true;
	default:
		return false;
	}
}

void
report_summary_text(const struct fleet *f, FILE *out, bool status)
{
	const struct binding_change	*bc;
	const struct node		*n;
	int				 w0, w1, w2;
	size_t				 i;
	char				 ref[512];

	w0 = width_of(f, 0);
	w1 = width_of(f, 1);
	w2 = width_of(f, 2);
	fprintf(out, "%-*s  %-*s  %-*s  %s\n", w0, "NODE", w1, "ROLE", w2,
	    "VERSION", "RESULT");
	for (i = 0; i < f->n; i++) {
		n = f->nodes[i].node;
		fprintf(out, "%-*s  %-*s  %-*s  %s%s\n", w0, n->name, w1,
		    node_role_name(n->role), w2, n->version ? n->version : "-",
		    node_result_name(f->nodes[i].result, status),
		    report_not_ready(&f->nodes[i]) ? " (apiserver not ready)" :
		    "");
	}
	for (i = 0; i < f->bindings.n; i++) {
		bc = &f->bindings.changes[i];
		fprintf(out, "%s%s: %s\n", i == 0 ? "\n" : "",
		    binding_ref(bc, ref, sizeof ref),
		    binding_state(bc, status));
	}
}

void
report_changes_text(const struct fleet *f, FILE *out)
{
	const struct binding_change	*bc;
	struct buf			 nodes, bindings;
	char				 ref[512];
	size_t				 i;

	buf_init(&nodes);
	buf_init(&bindings);
	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result == NODE_RESULT_CHANGED)
			buf_printf(&nodes, "%s%s", nodes.len ? ", " : "",
			    f->nodes[i].node->name);
	}
	for (i = 0; i < f->bindings.n; i++) {
		bc = &f->bindings.changes[i];
		if (bc->result == NULL || strcmp(bc->result, "unchanged") == 0)
			continue;
		buf_printf(&bindings, "%s%s %s", bindings.len ? ", " : "",
		    binding_ref(bc, ref, sizeof ref), bc->result);
	}
	if (nodes.len == 0 && bindings.len == 0)
		fprintf(out, "\nnothing to change: every node is in sync\n");
	else {
		fprintf(out, "\nchanged:");
		if (nodes.len > 0)
			fprintf(out, " args file of %s (each restarted once "
			    "and ready)%s", nodes.data,
			    bindings.len ? ";" : "");
		if (bindings.len > 0)
			fprintf(out, " bindings: %s", bindings.data);
		fputc('\n', out);
	}
	buf_release(&nodes);
	buf_release(&bindings);
}

/* The journal lines kept from a crash loop, indented, on stderr. */
static void
report_journal(const struct node *n)
{
	const char	*p, *nl;

	if (n->journal == NULL)
		return;
	fprintf(stderr, "  the last lines of its journal:\n");
	for (p = n->journal; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		fprintf(stderr, "    %.*s\n", (int)(nl != NULL ? nl - p :
		    (ptrdiff_t)strlen(p)), p);
		if (nl == NULL)
			break;
	}
}

void
report_errors(const struct fleet *f)
{
	char	*clean;
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].error == NULL)
			continue;
		clean = output_clean(f->nodes[i].error);
		output_error("%s: %s", f->nodes[i].node->name, clean);
		free(clean);
		report_journal(f->nodes[i].node);
	}
	if (f->bindings_error != NULL) {
		clean = output_clean(f->bindings_error);
		output_error("bindings: %s", clean);
		free(clean);
	}
}

void
report_always_allow(const struct fleet *f)
{
	struct buf	names;
	size_t		i;

	if (!f->leaves_always_allow)
		return;
	buf_init(&names);
	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result != NODE_RESULT_PENDING ||
		    !f->nodes[i].plan.leaves_always_allow)
			continue;
		buf_printf(&names, "%s%s", names.len ? ", " : "",
		    f->nodes[i].node->name);
	}
	output_warning("RBAC replaces AlwaysAllow on %s: every user and "
	    "service account that relied on AlwaysAllow loses access unless "
	    "a binding grants it", names.data);
	buf_release(&names);
}

static json_t *
report_node_json(const struct fleet_node *fn, bool status)
{
	const struct node	*n = fn->node;

	return json_pack("{s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:o, s:o}",
	    "name", n->name,
	    "role", node_role_name(n->role),
	    "version", json_string_or_null(n->version),
	    "result", node_result_name(fn->result, status),
	    "changes", fn->plan.change,
	    "diff", json_string_or_null(fn->diff),
	    "error", json_string_or_null(fn->error),
	    "ready", n->role == NODE_ROLE_CONTROL_PLANE ?
	    json_boolean(n->ready) : json_null(),
	    "journal", json_string_or_null(n->journal));
}

static json_t *
report_binding_json(const struct binding_change *bc)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o}",
	    "kind", bc->kind,
	    "name", bc->name,
	    "namespace", json_string_or_null(bc->namespace),
	    "role", json_string_or_null(bc->role),
	    "action", binding_action_name(bc->action),
	    "result", json_string_or_null(bc->result),
	    "manifest", json_string_or_null(bc->manifest));
}

void
report_json(const struct fleet *f, const char *command, bool dry_run,
    int exit_code, FILE *out)
{
	json_t	*doc, *nodes, *bindings;
	size_t	 i;

	nodes = json_array();
	for (i = 0; i < f->n; i++)
		json_array_append_new(nodes, report_node_json(&f->nodes[i],
		    strcmp(command, "status") == 0));
	bindings = json_array();
	for (i = 0; i < f->bindings.n; i++)
		json_array_append_new(bindings,
		    report_binding_json(&f->bindings.changes[i]));
	doc = json_pack("{s:s, s:b, s:o, s:o, s:o, s:b, s:b, s:i}",
	    "command", command,
	    "dry_run", dry_run,
	    "nodes", nodes,
	    "bindings", bindings,
	    "bindings_error", json_string_or_null(f->bindings_error),
	    "leaves_always_allow", f->leaves_always_allow,
	    "interrupted", f->interrupted,
	    "exit_code", exit_code);
	output_json(out, command, doc);
}
