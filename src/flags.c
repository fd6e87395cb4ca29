/*
 * okta-k8s's own apiserver flags (SPEC §3): the set the config asks for
 * (--oidc-*, and --authorization-mode when rbac.enable), and applying it
 * to a parsed args file, keeping every flag that is not ours. Pure: it
 * must not read or write files or reach nodes, and it edits the args
 * file only through argsfile.h.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "flags.h"

/* Our flags, in the order of SPEC §3. */
static const char *const flag_names[] = {
	"--oidc-issuer-url",
	"--oidc-client-id",
	"--oidc-username-claim",
	"--oidc-username-prefix",
	"--oidc-groups-claim",
	"--oidc-groups-prefix",
	"--oidc-required-claim",
	"--oidc-signing-algs",
	"--oidc-ca-file",
};

enum {
	F_ISSUER_URL,
	F_CLIENT_ID,
	F_USERNAME_CLAIM,
	F_USERNAME_PREFIX,
	F_GROUPS_CLAIM,
	F_GROUPS_PREFIX,
	F_REQUIRED_CLAIM,
	F_SIGNING_ALGS,
	F_CA_FILE,
};

#define MODE_FLAG	"--authorization-mode"

_Static_assert(nitems(flag_names) == nitems(((struct flagset *)0)->flags),
    "one slot per flag");

/* Every flag of ours, none with a value, no RBAC. */
void
flagset_none(struct flagset *fs)
{
	size_t	i;

	memset(fs, 0, sizeof *fs);
	for (i = 0; i < nitems(flag_names); i++)
		fs->flags[i].name = flag_names[i];
	fs->n = nitems(flag_names);
}

static void
want(struct flagset *fs, int flag, const char *value)
{
	if (value != NULL)
		strvec_push(&fs->flags[flag].values, value);
}

static void
want_groups(struct flagset *fs, const struct config *c)
{
	const char	*prefix = c->oidc.groups_prefix;

	if (c->oidc.groups_claim == NULL || *c->oidc.groups_claim == '\0')
		return;
	want(fs, F_GROUPS_CLAIM, c->oidc.groups_claim);
	if (prefix != NULL && *prefix != '\0' && strcmp(prefix, "-") != 0)
		want(fs, F_GROUPS_PREFIX, prefix);
}

static void
want_required_claims(struct flagset *fs, const struct config *c)
{
	const struct config_claim	*cl;
	size_t				 i;

	for (i = 0; i < c->oidc.n_required_claims; i++) {
		cl = &c->oidc.required_claims[i];
		strvec_push_nodup(&fs->flags[F_REQUIRED_CLAIM].values,
		    xasprintf("%s=%s", cl->key, cl->value));
	}
}

static void
want_signing_algs(struct flagset *fs, const struct config *c)
{
	const struct strvec	*algs = &c->oidc.signing_algs;
	struct buf		 b;
	size_t			 i;

	if (algs->n == 0)
		return;
	buf_init(&b);
	for (i = 0; i < algs->n; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		buf_puts(&b, algs->v[i]);
	}
	strvec_push_nodup(&fs->flags[F_SIGNING_ALGS].values,
	    buf_detach(&b, NULL));
}

/* What C asks for; release with flagset_release. */
void
flagset_from_config(struct flagset *fs, const struct config *c)
{
	flagset_none(fs);
	want(fs, F_ISSUER_URL, c->oidc.issuer_url);
	want(fs, F_CLIENT_ID, c->oidc.client_id);
	want(fs, F_USERNAME_CLAIM, c->oidc.username_claim);
	want(fs, F_USERNAME_PREFIX, c->oidc.username_prefix);
	want_groups(fs, c);
	want_required_claims(fs, c);
	want_signing_algs(fs, c);
	if (c->oidc.ca_file != NULL)
		want(fs, F_CA_FILE, FLAGS_CA_PATH);
	fs->rbac = c->rbac.enable;
}

/* Free the values of FS. */
void
flagset_release(struct flagset *fs)
{
	size_t	i;

	for (i = 0; i < fs->n; i++)
		strvec_clear(&fs->flags[i].values);
}

/* Is NAME one of the flags okta-k8s owns? */
bool
flags_is_ours(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(flag_names); i++) {
		if (strcmp(name, flag_names[i]) == 0)
			return true;
	}
	return false;
}

/* Split the comma list MODE into OUT, leaving out empty entries. */
static void
mode_split(const char *mode, struct strvec *out)
{
	const char	*p = mode;
	size_t		 len;

	for (;;) {
		len = strcspn(p, ",");
		if (len > 0)
			strvec_push_nodup(out, xstrndup(p, len));
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
}

static bool
mode_has(const char *mode, const char *entry)
{
	struct strvec	parts = { 0 };
	bool		found;

	mode_split(mode, &parts);
	found = strvec_contains(&parts, entry);
	strvec_clear(&parts);
	return found;
}

/* The mode to write for RBAC, or NULL to keep MODE (see flags.h). */
char *
flags_rbac_mode(const char *mode)
{
	struct strvec	 parts = { 0 };
	struct buf	 b;
	size_t		 i;

	if (mode != NULL)
		mode_split(mode, &parts);
	buf_init(&b);
	for (i = 0; i < parts.n; i++) {
		if (strcmp(parts.v[i], "AlwaysAllow") == 0)
			continue;
		buf_printf(&b, "%s%s", b.len > 0 ? "," : "", parts.v[i]);
	}
	if (!strvec_contains(&parts, "RBAC"))
		buf_printf(&b, "%sRBAC", b.len > 0 ? "," : "");
	if (!strvec_contains(&parts, "Node"))
		buf_puts(&b, ",Node");
	strvec_clear(&parts);
	if (mode != NULL && strcmp(b.data, mode) == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/*
 * The authorization mode the apiserver runs with: the values of every
 * --authorization-mode line joined (it appends repeated list flags), or
 * NULL when there is none. Caller frees.
 */
static char *
mode_current(const struct argsfile *af)
{
	struct buf	 b;
	const char	*v;
	size_t		 i;
	bool		 found = false;

	buf_init(&b);
	for (i = 0; i < af->n; i++) {
		if (af->lines[i].name == NULL ||
		    strcmp(af->lines[i].name, MODE_FLAG) != 0)
			continue;
		found = true;
		if ((v = af->lines[i].value) == NULL || *v == '\0')
			continue;
		if (b.len > 0)
			buf_putc(&b, ',');
		buf_puts(&b, v);
	}
	if (!found) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* Edit AF to carry FS (see flags.h). */
void
flags_apply(struct argsfile *af, const struct flagset *fs,
    bool *leaves_always_allow)
{
	const struct flag_want	*fw;
	char			*old, *mode = NULL;
	bool			 had, has;
	size_t			 i;

	for (i = 0; i < fs->n; i++) {
		fw = &fs->flags[i];
		argsfile_set(af, fw->name, (const char *const *)fw->values.v,
		    fw->values.n);
	}

	/* No line means the apiserver's default, AlwaysAllow. */
	old = mode_current(af);
	had = has = old == NULL || mode_has(old, "AlwaysAllow");
	if (fs->rbac && (mode = flags_rbac_mode(old)) != NULL) {
		argsfile_set(af, MODE_FLAG, (const char *const *)&mode, 1);
		has = mode_has(mode, "AlwaysAllow");
	}
	if (leaves_always_allow != NULL)
		*leaves_always_allow = had && !has;
	free(mode);
	free(old);
}
