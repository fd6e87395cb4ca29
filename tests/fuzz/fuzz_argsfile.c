/*
 * The args file as read from a node (SPEC §3). For any bytes:
 * - argsfile_check() refuses exactly the files with a NUL byte or a line
 *   of 64 KiB or more, and plan_node() refuses what it refuses;
 * - without a NUL byte, render(parse(x)) is x, byte for byte;
 * - flags_apply() twice gives the bytes of once;
 * - after it, each of our flags is on exactly as many lines as it has
 *   values (so once for the single-valued ones), with those values in
 *   order, and --authorization-mode once, holding RBAC and Node and never
 *   AlwaysAllow.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "argsfile.h"
#include "config.h"
#include "flags.h"
#include "fuzz.h"
#include "plan.h"

static const char config_text[] =
	"oidc:\n"
	"  issuer_url: https://dev-123456.okta.com/oauth2/default\n"
	"  client_id: 0oa1g3wxh9x9KLciv4x9\n"
	"  groups_claim: groups\n"
	"  required_claims: {hd: example.com, tier: gold}\n"
	"  signing_algs: [RS256, ES256]\n"
	"rbac:\n"
	"  enable: true\n";

static struct flagset	fs;

static void
fuzz_init(void)
{
	struct config	*c = NULL;
	char		*cause = NULL;

	setenv("HOME", "/nonexistent", 1);
	if (config_parse(config_text, strlen(config_text), "fuzz.yaml", &c,
	    &cause) == -1)
		fatal("the target's config: %s", cause);
	flagset_from_config(&fs, c);
	config_free(c);
}

/* Is there a line of 64 KiB or more (its '\n' excluded) in DATA? */
static bool
has_long_line(const char *data, size_t size)
{
	const char	*p = data, *end = data + size, *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) > ARGSFILE_LINE_MAX)
			return true;
	}
	return false;
}

/* AF parsed, FS applied, rendered. Caller frees; *LEN its length. */
static char *
apply(const char *text, size_t len, size_t *out_len)
{
	struct argsfile	*af = argsfile_parse(text, len);
	char		*out;

	flags_apply(af, &fs, NULL);
	out = argsfile_render(af, out_len);
	argsfile_free(af);
	return out;
}

/* Is WORD one of the comma-separated items of LIST? */
static bool
has_item(const char *list, const char *word)
{
	size_t	n = strlen(word), len;

	for (;;) {
		len = strcspn(list, ",");
		if (len == n && strncmp(list, word, n) == 0)
			return true;
		if (list[len] == '\0')
			return false;
		list += len + 1;
	}
}

/* Each flag of ours carries its values, once each, in order. */
static void
check_flags(const char *text, size_t len)
{
	struct argsfile	*af = argsfile_parse(text, len);
	const char	*mode;
	size_t		 i, j, k, modes = 0;

	for (i = 0; i < fs.n; i++) {
		for (j = k = 0; j < af->n; j++) {
			if (af->lines[j].name == NULL ||
			    strcmp(af->lines[j].name, fs.flags[i].name) != 0)
				continue;
			fuzz_check(k < fs.flags[i].values.n &&
			    af->lines[j].value != NULL && strcmp(
			    af->lines[j].value, fs.flags[i].values.v[k]) == 0,
			    "%s: line %zu is not value %zu", fs.flags[i].name,
			    j + 1, k + 1);
			k++;
		}
		fuzz_check(k == fs.flags[i].values.n, "%s: on %zu lines, "
		    "wanted %zu", fs.flags[i].name, k, fs.flags[i].values.n);
	}
	for (j = 0; j < af->n; j++)
		modes += af->lines[j].name != NULL &&
		    strcmp(af->lines[j].name, "--authorization-mode") == 0;
	mode = argsfile_get(af, "--authorization-mode");
	fuzz_check(modes == 1 && mode != NULL && has_item(mode, "RBAC") &&
	    has_item(mode, "Node") && !has_item(mode, "AlwaysAllow"),
	    "--authorization-mode: %zu lines, first '%s'", modes,
	    mode != NULL ? mode : "(none)");
	argsfile_free(af);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 ready;
	const char		*text = (const char *)data;
	struct argsfile		*af;
	struct node_plan	 p;
	char			*out, *again, *cause = NULL;
	size_t			 out_len, again_len;
	bool			 nul = memchr(data, '\0', size) != NULL;
	bool			 refused;
	int			 rc;

	if (!ready) {
		fuzz_init();
		ready = true;
	}
	refused = argsfile_check(text, size, &cause) == -1;
	fuzz_check(refused == (nul || has_long_line(text, size)) &&
	    refused == (cause != NULL), "argsfile_check: %s",
	    cause != NULL ? cause : "accepted");
	free(cause);
	cause = NULL;
	rc = plan_node(&fs, text, size, NULL, 0, NULL, 0, &p, &cause);
	fuzz_check((rc == -1) == refused && (rc == -1) == (cause != NULL) &&
	    (rc == 0) == (p.args != NULL), "plan_node: %d, %s", rc,
	    cause != NULL ? cause : "no cause");
	free(cause);
	node_plan_release(&p);
	if (nul)
		return 0;

	af = argsfile_parse(text, size);
	out = argsfile_render(af, &out_len);
	fuzz_check(out_len == size && memcmp(out, data, size) == 0,
	    "render(parse(x)) is not x: %zu bytes in, %zu out", size, out_len);
	argsfile_free(af);
	free(out);

	out = apply(text, size, &out_len);
	again = apply(out, out_len, &again_len);
	fuzz_check(again_len == out_len && memcmp(out, again, out_len) == 0,
	    "flags_apply twice differs from once");
	check_flags(out, out_len);
	free(out);
	free(again);
	return 0;
}
