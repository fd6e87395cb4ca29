/* One node's steps, each a constant script run through the transport. */
#include "build-config.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "output.h"
#include "quote.h"
#include "systemd.h"

/* Every script starts here: MicroK8s commands live in /snap/bin. */
#define PRELUDE								\
	"PATH=/snap/bin:/usr/local/sbin:/usr/local/bin:"		\
	    "/usr/sbin:/usr/bin:/sbin:/bin\n"				\
	"export PATH\n"							\
	"LC_ALL=C\n"							\
	"export LC_ALL\n"						\
	"S=" NODE_SNAP_DATA "\n"					\
	"A=$S/args/kube-apiserver\n"					\
	"L=$S/var/lock/okta-k8s.lock\n"					\
	"fail() { printf '%s\\n' \"$*\" >&2; exit 1; }\n"		\
	"reason() { printf '%s' \"$1\" | tail -n 1 | "			\
	    "sed -e 's/^.*: //' | tr 'A-Z' 'a-z'; }\n"

/*
 * What is on the node. `microk8s stop` leaves $SNAP_DATA/var/lock/stopped.lock
 * (canonical/microk8s microk8s-resources/wrappers/microk8s-stop.wrapper;
 * microk8s start and every kubelite start remove it): "stopped 1".
 */
static const char inventory_script[] = PRELUDE
	"IFS= read -r want\n"
	"echo 'okta-k8s-inventory 1'\n"
	"if [ ! -d \"$S\" ]; then echo 'microk8s none'; exit 0; fi\n"
	"role=control-plane\n"
	"[ -e \"$S/var/lock/clustered.lock\" ] && role=worker\n"
	"echo \"role $role\"\n"
	"[ -e \"$S/var/lock/stopped.lock\" ] && echo 'stopped 1'\n"
	"if [ \"$want\" = bindings ] && [ $role = control-plane ]; then\n"
	"  b=$(mktemp) && be=$(mktemp) || exit 1\n"
	"  microk8s kubectl --request-timeout=" NODE_KUBECTL_TIMEOUT " get \\\n"
	"    clusterrolebindings,rolebindings,namespaces -A -o json \\\n"
	"    >\"$b\" 2>\"$be\" &\n"
	"  pid=$!\n"
	"fi\n"
	"if [ $role = control-plane ]; then\n"
	"  rz=$(mktemp) || exit 1\n"
	"  microk8s kubectl --request-timeout=" NODE_READYZ_TIMEOUT
	    " get --raw /readyz >\"$rz\" 2>&1 &\n"
	"  rzpid=$!\n"
	"fi\n"
	"if [ -e \"$S/var/lock/lite.lock\" ]; then echo 'lite 1'; "
	    "else echo 'lite 0'; fi\n"
	"v=$(microk8s version 2>/dev/null | head -n 1)\n"
	"echo \"version $v\"\n"
	"case $v in 'MicroK8s v'*) ;; *)\n"
	"  echo \"snap-version $(snap list microk8s 2>/dev/null | "
	    "sed -n 2p)\";; esac\n"
	"section() {\n"
	"  if [ -f \"$1\" ]; then echo \"$2 $(wc -c < \"$1\")\"; "
	    "cat \"$1\"; echo\n"
	"  else echo \"$2 -\"; fi\n"
	"}\n"
	"section \"$A\" args\n"
	"section \"$S/certs/okta-k8s-oidc-ca.crt\" ca\n"
	"section \"$S/args/okta-k8s-authentication.yaml\" auth\n"
	"if [ -n \"${rzpid:-}\" ]; then\n"
	"  wait $rzpid; echo \"readyz-status $?\"\n"
	"  section \"$rz\" readyz\n"
	"  rm -f \"$rz\"\n"
	"fi\n"
	"if [ -n \"${pid:-}\" ]; then\n"
	"  wait $pid; st=$?; echo \"bindings-status $st\"\n"
	"  [ $st = 0 ] || cat \"$be\" >>\"$b\"\n"
	"  section \"$b\" bindings\n"
	"  rm -f \"$b\" \"$be\"\n"
	"fi\n"
	"echo end\n";

static const char lock_script[] = PRELUDE
	"IFS= read -r holder\n"
	"mkdir -p \"$S/var/lock\" || exit 1\n"
	"if ( set -C; printf '%s\\n' \"$holder\" > \"$L\" ) 2>/dev/null; "
	    "then exit 0; fi\n"
	"head -n 1 \"$L\" 2>/dev/null\n"
	"exit 75\n";

static const char unlock_script[] = PRELUDE
	"IFS= read -r holder\n"
	"[ \"$(head -n 1 \"$L\" 2>/dev/null)\" = \"$holder\" ] && "
	    "rm -f \"$L\"\n"
	"exit 0\n";

static const char ca_script[] = PRELUDE
	"C=$S/certs/okta-k8s-oidc-ca.crt\n"
	"T=$C.okta-k8s-tmp.$$\n"
	"mkdir -p \"$S/certs\" || exit 1\n"
	"err=$(cat 2>&1 >\"$T\" && chmod 0644 \"$T\" 2>&1 && "
	    "sync \"$T\" 2>&1 &&\n"
	"    mv -f \"$T\" \"$C\" 2>&1) ||\n"
	"  { rm -f \"$T\"; fail \"write '$C': $(reason \"$err\")\"; }\n";

static const char write_script[] = PRELUDE
	"IFS= read -r want\n"
	"IFS= read -r keep\n"
	"have=$(sha256sum < \"$A\") || exit 1\n"
	"[ \"${have%% *}\" = \"$want\" ] ||\n"
	"  fail \"'$A' changed since it was read; run okta-k8s again\"\n"
	"while :; do\n"
	"  B=$A.okta-k8s-backup.$(date -u +%Y%m%dT%H%M%SZ)\n"
	"  [ \"$keep\" = undo ] && B=$A.okta-k8s-undo\n"
	"  [ \"$keep\" = undo ] || [ ! -e \"$B\" ] && break\n"
	"  sleep 1\n"
	"done\n"
	"err=$(cp -p \"$A\" \"$B.tmp\" 2>&1 && sync \"$B.tmp\" 2>&1 &&\n"
	"    mv \"$B.tmp\" \"$B\" 2>&1) ||\n"
	"  { rm -f \"$B.tmp\"; fail \"back up '$A': $(reason \"$err\")\"; }\n"
	"T=$A.okta-k8s-tmp.$$\n"
	"err=$(cat 2>&1 >\"$T\" && chown --reference=\"$A\" \"$T\" 2>&1 &&\n"
	"    chmod --reference=\"$A\" \"$T\" 2>&1 && sync \"$T\" 2>&1 &&\n"
	"    mv -f \"$T\" \"$A\" 2>&1) ||\n"
	"  { rm -f \"$T\" \"$B\"; fail \"write '$A': $(reason \"$err\")\"; }\n"
	"echo \"$B\"\n"
	"ls -1 \"$A\".okta-k8s-backup.* 2>/dev/null | grep -v '\\.tmp$' | "
	    "sort |\n"
	"  head -n -5 | while IFS= read -r old; do rm -f \"$old\"; done\n"
	"exit 0\n";

static const char restore_script[] = PRELUDE
	"IFS= read -r B\n"
	"case $B in \"$A\".okta-k8s-backup.*|\"$A\".okta-k8s-undo) ;;\n"
	"  *) fail \"not a backup: '$B'\";; esac\n"
	"[ -f \"$B\" ] || fail \"backup '$B' is missing\"\n"
	"T=$A.okta-k8s-tmp.$$\n"
	"err=$(cp -p \"$B\" \"$T\" 2>&1 && sync \"$T\" 2>&1 && "
	    "mv -f \"$T\" \"$A\" 2>&1) ||\n"
	"  { rm -f \"$T\"; fail \"restore '$A' from '$B': "
	    "$(reason \"$err\")\"; }\n"
	"rm -f \"$B\"\n";

static const char newest_backup_script[] = PRELUDE
	"B=$(ls -1 \"$A\".okta-k8s-backup.* 2>/dev/null | grep -v '\\.tmp$' | "
	    "sort | tail -n 1)\n"
	"if [ -z \"$B\" ]; then echo 'backup -'; exit 0; fi\n"
	"echo \"backup $(wc -c < \"$B\")\"\n"
	"cat \"$B\" && echo && echo \"$B\"\n";

static const char discard_script[] = PRELUDE
	"IFS= read -r B\n"
	"case $B in \"$A\".okta-k8s-backup.*) ;; "
	    "*) fail \"not a backup: '$B'\";; esac\n"
	"rm -f \"$B\" \"$A.okta-k8s-undo\"\n";

/*
 * systemd's start limit counts our restarts too: reset-failed first, so that
 * a restart (the restore's above all) is never refused after a crash loop.
 * Then `snap restart` within its own limit (T seconds, from stdin).
 */
static const char restart_script[] = PRELUDE
	"IFS= read -r t\n"
	"s=microk8s.daemon-apiserver\n"
	"[ -e \"$S/var/lock/lite.lock\" ] && s=microk8s.daemon-kubelite\n"
	"systemctl reset-failed \"snap.$s.service\" >/dev/null 2>&1\n"
	"err=$(timeout \"$t\" snap restart \"$s\" 2>&1 >/dev/null)\n"
	"rc=$?\n"
	"[ $rc -eq 124 ] && "
	    "fail \"'snap restart $s' did not finish within ${t}s\"\n"
	"[ $rc -eq 0 ] || fail \"'snap restart $s': "
	    "$(printf '%s' \"$err\" | tr '\\n' ' ')\"\n"
	"exit 0\n";

/*
 * Poll /readyz once a second for T seconds. Between polls ask systemd about
 * the unit: NRestarts reaching LOOPS (counted from our restart, which
 * flushes it) or ActiveState=failed (the start limit hit) is a crash loop:
 * exit 3 with the unit's state and its journal's last lines, which hold the
 * apiserver's own reason.
 */
static const char ready_script[] = PRELUDE
	"IFS= read -r t\n"
	"IFS= read -r loops\n"
	"u=snap.microk8s.daemon-apiserver\n"
	"[ -e \"$S/var/lock/lite.lock\" ] && u=snap.microk8s.daemon-kubelite\n"
	"end=$(( $(date +%s) + t ))\n"
	"while :; do\n"
	"  r=$(microk8s kubectl --request-timeout=" NODE_READYZ_TIMEOUT
	    " get --raw /readyz 2>&1)\n"
	"  [ \"$r\" = ok ] && exit 0\n"
	"  st=$(systemctl show -p NRestarts,ActiveState,SubState \"$u\" "
	    "2>/dev/null)\n"
	"  n=$(printf '%s\\n' \"$st\" | "
	    "sed -n 's/^NRestarts=\\([0-9][0-9]*\\)$/\\1/p')\n"
	"  a=$(printf '%s\\n' \"$st\" | sed -n 's/^ActiveState=//p')\n"
	"  if [ \"$a\" = failed ] || [ \"${n:-0}\" -ge \"$loops\" ]; then\n"
	"    echo \"unit $u\"\n"
	"    printf '%s\\n' \"$st\"\n"
	"    echo journal\n"
	"    journalctl -u \"$u\" -n 20 --no-pager 2>&1\n"
	"    exit 3\n"
	"  fi\n"
	"  [ \"$(date +%s)\" -ge \"$end\" ] && break\n"
	"  sleep 1\n"
	"done\n"
	"r=$(printf '%s' \"$r\" | tail -n 1)\n"
	"fail \"apiserver not ready after ${t}s ('microk8s kubectl get "
	    "--raw /readyz' said: ${r:-nothing})\"\n";

static const char probe_ready_script[] = PRELUDE
	"microk8s kubectl --request-timeout=" NODE_READYZ_TIMEOUT
	    " get --raw /readyz 2>&1\n";

struct node *
node_new(struct transport *t)
{
	struct node	*n;

	n = xcalloc(1, sizeof *n);
	n->transport = t;
	n->name = t->name;
	return n;
}

void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	free(n->version);
	free(n->args);
	free(n->ca);
	free(n->auth);
	free(n->holder);
	free(n->backup);
	free(n->newest_backup);
	free(n->newest_backup_data);
	free(n->bindings);
	free(n->not_ready);
	free(n->journal);
	transport_free(n->transport);
	free(n);
}

const char *
node_role_name(enum node_role role)
{
	switch (role) {
	case NODE_ROLE_CONTROL_PLANE:
		return "control-plane";
	case NODE_ROLE_WORKER:
		return "worker";
	case NODE_ROLE_UNKNOWN:
		break;
	}
	return "unknown";
}

/*
 * Run SCRIPT with IN, silent for at most WAIT seconds (0: the transport's
 * limit); a non-zero exit becomes *cause ("WHAT: REASON", the script's last
 * line of standard error). RES may be NULL.
 */
static int
node_run_wait(struct node *n, const char *what, const char *script,
    const char *in, size_t inlen, int wait, struct exec_result *res,
    char **cause)
{
	struct exec_result	 r;
	char			*reason;

	if (transport_exec(n->transport, script, in, inlen, wait, &r,
	    cause) == -1)
		return -1;
	if (r.status != 0) {
		reason = exec_result_reason(&r);
		set_cause(cause, "%s: %s", what, *reason != '\0' ? reason :
		    "failed");
		free(reason);
		exec_result_release(&r);
		return -1;
	}
	if (res != NULL)
		*res = r;
	else
		exec_result_release(&r);
	return 0;
}

/* node_run_wait() within the transport's idle limit. */
static int
node_run(struct node *n, const char *what, const char *script,
    const char *in, size_t inlen, struct exec_result *res, char **cause)
{
	return node_run_wait(n, what, script, in, inlen, 0, res, cause);
}

/* One "KEY VALUE" line at *P; advances *P. Returns false at the end. */
static bool
inventory_line(const char **p, const char *end, char **key, char **value)
{
	const char	*nl, *sp;

	if (*p >= end)
		return false;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		nl = end;
	if ((sp = memchr(*p, ' ', (size_t)(nl - *p))) == NULL)
		sp = nl;
	*key = xstrndup(*p, (size_t)(sp - *p));
	*value = xstrndup(sp < nl ? sp + 1 : nl, (size_t)(nl - (sp < nl ?
	    sp + 1 : nl)));
	*p = nl < end ? nl + 1 : end;
	return true;
}

/* A "NAME LEN" section: LEN bytes and a newline follow; "-": absent. */
static int
inventory_section(const char **p, const char *end, const char *value,
    char **data, size_t *len)
{
	char		*endp;
	unsigned long	 n;

	free(*data);	/* a section given twice: the last counts */
	*data = NULL;
	*len = 0;
	if (strcmp(value, "-") == 0)
		return 0;
	n = strtoul(value, &endp, 10);
	if (*value == '\0' || *endp != '\0' || n > (size_t)(end - *p) ||
	    (size_t)(end - *p) < n + 1 || (*p)[n] != '\n')
		return -1;
	*data = xstrndup(*p, n);
	*len = n;
	*p += n + 1;
	return 0;
}

/*
 * LEN bytes at V are a MicroK8s version: "v1.31.3" ("v" MAJOR "." MINOR,
 * then digits, letters, ".", "-" or "+"), never words of a message.
 */
static bool
version_valid(const char *v, size_t len)
{
	size_t	i = 1, dots = 0, digits = 0;

	if (len < 4 || v[0] != 'v')
		return false;
	for (; i < len && (isdigit((unsigned char)v[i]) || v[i] == '.'); i++) {
		if (v[i] == '.' && (digits == 0 || ++dots > 2))
			return false;
		digits = v[i] == '.' ? 0 : digits + 1;
	}
	if (dots == 0 || digits == 0)
		return false;
	for (; i < len; i++) {
		if (!isalnum((unsigned char)v[i]) &&
		    strchr(".-+", v[i]) == NULL)
			return false;
	}
	return true;
}

/*
 * The version from `microk8s version` ("MicroK8s v1.31.3 revision 7394",
 * 1.25 on), or with SNAP_LIST from the second line of `snap list microk8s`
 * ("microk8s  v1.24.17  5644  1.24/stable ..."). Anything else, such as
 * "'version' is not a valid MicroK8s subcommand.", leaves it unknown.
 */
static void
inventory_version(struct node *n, const char *line, bool snap_list)
{
	const char	*prefix = snap_list ? "microk8s " : "MicroK8s ";
	const char	*v;
	size_t		 len;

	if (n->version != NULL || strncmp(line, prefix, strlen(prefix)) != 0)
		return;
	v = line + strlen(prefix);
	v += strspn(v, " ");
	len = strcspn(v, " \t");
	if (version_valid(v, len))
		n->version = xstrndup(v, len);
}

bool
node_refusal(const char *out, size_t len)
{
	static const char	notice[] = "This MicroK8s deployment is "
	    "acting as a node in a cluster.";

	return len >= sizeof notice - 1 &&
	    memcmp(out, notice, sizeof notice - 1) == 0;
}

/*
 * What /readyz said (exit STATUS, OUT): ready only on exactly "ok", never on
 * a notice (a worker's, a stopped node's) whatever its exit status.
 */
static void
node_set_ready(struct node *n, int status, const char *out)
{
	const char	*last, *nl;
	size_t		 len;

	free(n->not_ready);
	n->not_ready = NULL;
	len = out != NULL ? strlen(out) : 0;
	while (len > 0 && out[len - 1] == '\n')
		len--;
	n->ready = status == 0 && len == 2 && strncmp(out, "ok", 2) == 0;
	if (n->ready)
		return;
	if (len == 0) {
		n->not_ready = xstrdup("'microk8s kubectl get --raw /readyz' "
		    "said nothing");
		return;
	}
	last = out;
	while ((nl = memchr(last, '\n', len - (size_t)(last - out))) != NULL)
		last = nl + 1;
	n->not_ready = xasprintf("'microk8s kubectl get --raw /readyz' said: "
	    "%.*s", (int)(len - (size_t)(last - out)), last);
}

static int
inventory_parse(struct node *n, const char *out, size_t len, char **cause)
{
	const char	*p = out, *end = out + len;
	char		*key = NULL, *value = NULL, *readyz = NULL;
	size_t		 readyz_len = 0;
	int		 rc = -1, bad = 0, readyz_status = -1;
	bool		 complete = false;

	if (!inventory_line(&p, end, &key, &value) ||
	    strcmp(key, "okta-k8s-inventory") != 0) {
		set_cause(cause, "unexpected answer to the inventory");
		goto out;
	}
	for (;;) {
		free(key);
		free(value);
		key = value = NULL;
		if (!inventory_line(&p, end, &key, &value))
			break;
		/* The script's last line: an answer cut short is no answer. */
		if (strcmp(key, "end") == 0) {
			complete = p == end && p[-1] == '\n';
			break;
		}
		if (strcmp(key, "microk8s") == 0) {
			set_cause(cause, "MicroK8s not found ('%s' is "
			    "missing); install it with 'snap install microk8s "
			    "--classic'", NODE_SNAP_DATA);
			goto out;
		} else if (strcmp(key, "role") == 0)
			n->role = strcmp(value, "worker") == 0 ?
			    NODE_ROLE_WORKER : NODE_ROLE_CONTROL_PLANE;
		else if (strcmp(key, "lite") == 0)
			n->lite = strcmp(value, "1") == 0;
		else if (strcmp(key, "stopped") == 0)
			n->stopped = strcmp(value, "1") == 0;
		else if (strcmp(key, "version") == 0)
			inventory_version(n, value, false);
		else if (strcmp(key, "snap-version") == 0)
			inventory_version(n, value, true);
		else if (strcmp(key, "args") == 0)
			bad |= inventory_section(&p, end, value, &n->args,
			    &n->args_len);
		else if (strcmp(key, "ca") == 0)
			bad |= inventory_section(&p, end, value, &n->ca,
			    &n->ca_len);
		else if (strcmp(key, "auth") == 0)
			bad |= inventory_section(&p, end, value, &n->auth,
			    &n->auth_len);
		else if (strcmp(key, "readyz-status") == 0)
			readyz_status = atoi(value);
		else if (strcmp(key, "readyz") == 0) {
			bad |= inventory_section(&p, end, value, &readyz,
			    &readyz_len);
			node_set_ready(n, readyz_status, readyz);
			free(readyz);
			readyz = NULL;
		} else if (strcmp(key, "bindings-status") == 0)
			n->bindings_status = atoi(value);
		else if (strcmp(key, "bindings") == 0)
			bad |= inventory_section(&p, end, value,
			    &n->bindings, &n->bindings_len);
	}
	if (n->bindings != NULL && n->bindings_status == 0 &&
	    node_refusal(n->bindings, n->bindings_len))
		n->bindings_status = 1;
	if (bad) {
		set_cause(cause, "'%s' changed while it was read; try again",
		    NODE_ARGS_PATH);
		goto out;
	}
	if (!complete || n->role == NODE_ROLE_UNKNOWN) {
		set_cause(cause, "the answer to the inventory was cut short; "
		    "try again");
		goto out;
	}
	if (n->role == NODE_ROLE_CONTROL_PLANE && n->args == NULL) {
		set_cause(cause, "'%s' is missing", NODE_ARGS_PATH);
		goto out;
	}
	rc = 0;
out:
	free(key);
	free(value);
	return rc;
}

int
node_inventory(struct node *n, bool bindings, char **cause)
{
	struct exec_result	 res;
	const char		*want = bindings ? "bindings\n" : "\n";
	int			 rc;

	free(n->version);
	free(n->args);
	free(n->ca);
	free(n->auth);
	free(n->bindings);
	free(n->not_ready);
	n->version = n->args = n->ca = n->auth = n->bindings = NULL;
	n->not_ready = NULL;
	n->ready = n->stopped = false;
	n->role = NODE_ROLE_UNKNOWN;
	if (node_run(n, "inventory", inventory_script, want, strlen(want),
	    &res, cause) == -1)
		return -1;
	rc = inventory_parse(n, res.out.data, res.out.len, cause);
	exec_result_release(&res);
	if (rc == -1)
		n->role = NODE_ROLE_UNKNOWN;
	return rc;
}

int
node_lock(struct node *n, const char *holder, char **cause)
{
	struct exec_result	 res;
	char			*in, *who;
	int			 rc = -1;

	in = xasprintf("%s\n", holder);
	if (transport_exec(n->transport, lock_script, in, strlen(in), 0, &res,
	    cause) == -1)
		goto out;
	if (res.status == 0) {
		free(n->holder);
		n->holder = xstrdup(holder);
		rc = 0;
	} else if (res.status == 75) {
		who = exec_result_reason(&res);
		set_cause(cause, "locked by another run: %s (if no okta-k8s "
		    "run is active there, remove '%s')", who, NODE_LOCK_PATH);
		free(who);
	} else {
		who = exec_result_reason(&res);
		set_cause(cause, "lock '%s': %s", NODE_LOCK_PATH, who);
		free(who);
	}
	exec_result_release(&res);
out:
	free(in);
	return rc;
}

void
node_unlock(struct node *n)
{
	char	*in, *cause = NULL;

	if (n->holder == NULL)
		return;
	in = xasprintf("%s\n", n->holder);
	if (node_run(n, "unlock", unlock_script, in, strlen(in), NULL,
	    &cause) == -1)
		free(cause);
	free(in);
	free(n->holder);
	n->holder = NULL;
}

static void
sha256_hex(const char *data, size_t len, char hex[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		fatal("sha256 failed");
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

int
node_write(struct node *n, const char *args, size_t args_len,
    const char *ca, size_t ca_len, enum node_keep keep, char **cause)
{
	struct exec_result	 res;
	struct buf		 in;
	char			 hex[65];
	int			 rc = -1;

	if (ca != NULL && node_run(n, "write", ca_script, ca, ca_len, NULL,
	    cause) == -1)
		return -1;
	sha256_hex(n->args, n->args_len, hex);
	buf_init(&in);
	buf_printf(&in, "%s\n%s\n", hex, keep == NODE_KEEP_UNDO ? "undo" :
	    "backup");
	buf_add(&in, args, args_len);
	if (node_run(n, "write", write_script, in.data, in.len, &res,
	    cause) == -1)
		goto out;
	free(n->backup);
	n->backup = xstrndup(res.out.data, strcspn(res.out.data, "\n"));
	exec_result_release(&res);
	rc = 0;
out:
	buf_release(&in);
	return rc;
}

int
node_restore(struct node *n, char **cause)
{
	char	*in;
	int	 rc;

	if (n->backup == NULL)
		return set_cause(cause, "restore: no backup was taken");
	in = xasprintf("%s\n", n->backup);
	rc = node_run(n, "restore", restore_script, in, strlen(in), NULL,
	    cause);
	free(in);
	if (rc == 0) {
		free(n->backup);
		n->backup = NULL;
	}
	return rc;
}

int
node_newest_backup(struct node *n, char **cause)
{
	struct exec_result	 res;
	const char		*p, *end;
	char			*key = NULL, *value = NULL;
	int			 rc = -1;

	free(n->newest_backup);
	free(n->newest_backup_data);
	n->newest_backup = n->newest_backup_data = NULL;
	if (node_run(n, "find the newest backup", newest_backup_script, NULL,
	    0, &res, cause) == -1)
		return -1;
	p = res.out.data;
	end = p + res.out.len;
	if (!inventory_line(&p, end, &key, &value) ||
	    strcmp(key, "backup") != 0 ||
	    inventory_section(&p, end, value, &n->newest_backup_data,
	    &n->newest_backup_len) == -1) {
		set_cause(cause, "find the newest backup: unexpected answer");
		goto out;
	}
	if (n->newest_backup_data != NULL)
		n->newest_backup = xstrndup(p, strcspn(p, "\n"));
	rc = 0;
out:
	free(key);
	free(value);
	exec_result_release(&res);
	return rc;
}

int
node_discard_backup(struct node *n, const char *path, char **cause)
{
	char	*in;
	int	 rc;

	in = xasprintf("%s\n", path);
	rc = node_run(n, "remove the used backup", discard_script, in,
	    strlen(in), NULL, cause);
	free(in);
	return rc;
}

int
node_restart(struct node *n, int timeout, char **cause)
{
	char	in[32];

	snprintf(in, sizeof in, "%d\n", timeout);
	return node_run_wait(n, "restart", restart_script, in, strlen(in),
	    timeout + 15, NULL, cause);
}

/* The crash loop the ready script reported in RES (exit 3). */
static int
node_crash_loop(struct node *n, const struct exec_result *res, char **cause)
{
	struct systemd_unit	 u;
	const char		*p = res->out.data, *end = p + res->out.len;
	const char		*j, *unit;
	char			*how, *name, *raw;

	j = memmem(p, res->out.len, "\njournal\n", 9);
	if (j == NULL || systemd_show_parse(p, (size_t)(j - p), &u) == -1)
		return set_cause(cause, "wait: unexpected answer");
	unit = strncmp(p, "unit ", 5) == 0 ? p + 5 : "?";
	name = xstrndup(unit, strcspn(unit, "\n"));
	how = systemd_describe(&u);
	if (n->journal == NULL) {
		j += 9;
		raw = xstrndup(j, (size_t)(end - j));
		n->journal = output_clean(raw);
		free(raw);
	}
	set_cause(cause, "%s is crash-looping: %s (see its journal below: "
	    "'journalctl -u %s')", name, how, name);
	free(how);
	free(name);
	return -1;
}

int
node_wait_ready(struct node *n, int timeout, char **cause)
{
	struct exec_result	 res;
	char			 in[64], *reason;
	int			 rc;

	snprintf(in, sizeof in, "%d\n%d\n", timeout, NODE_CRASH_RESTARTS);
	if (transport_exec(n->transport, ready_script, in, strlen(in),
	    timeout + 30, &res, cause) == -1)
		return -1;
	if (res.status == 0)
		rc = 0;
	else if (res.status == 3)
		rc = node_crash_loop(n, &res, cause);
	else {
		reason = exec_result_reason(&res);
		rc = set_cause(cause, "wait: %s", *reason != '\0' ? reason :
		    "failed");
		free(reason);
	}
	exec_result_release(&res);
	return rc;
}

int
node_probe_ready(struct node *n, char **cause)
{
	struct exec_result	res;

	if (transport_exec(n->transport, probe_ready_script, NULL, 0, 20,
	    &res, cause) == -1)
		return -1;
	node_set_ready(n, res.status, res.out.data);
	exec_result_release(&res);
	return 0;
}

int
node_kubectl(struct node *n, const char *const *argv, const char *in,
    struct exec_result *res, char **cause)
{
	struct buf	script;
	int		rc;

	buf_init(&script);
	buf_puts(&script, PRELUDE "microk8s kubectl");
	for (; *argv != NULL; argv++) {
		buf_putc(&script, ' ');
		buf_add_quoted(&script, *argv);
	}
	buf_puts(&script, " --request-timeout=" NODE_KUBECTL_TIMEOUT "\n");
	rc = transport_exec(n->transport, script.data, in,
	    in != NULL ? strlen(in) : 0, 0, res, cause);
	buf_release(&script);
	if (rc == 0 && res->status == 0 && node_refusal(res->out.data,
	    res->out.len))
		res->status = 1;	/* the notice is its reason */
	return rc;
}

static const char cluster_ca_script[] = PRELUDE
	"C=$S/certs/ca.crt\n"
	"[ -f \"$C\" ] || fail \"'$C' is missing\"\n"
	"cat \"$C\"\n";

int
node_cluster_ca(struct node *n, char **ca, size_t *len, char **cause)
{
	struct exec_result	res;

	*ca = NULL;
	*len = 0;
	if (node_run(n, "read the cluster CA", cluster_ca_script, NULL, 0,
	    &res, cause) == -1)
		return -1;
	*ca = buf_detach(&res.out, len);
	exec_result_release(&res);
	return 0;
}

/* The clock first; then curl, whose own words say what went wrong. */
static const char probe_script[] = PRELUDE
	"IFS= read -r url\n"
	"IFS= read -r ca\n"
	"echo \"now $(date +%s)\"\n"
	"command -v curl >/dev/null 2>&1 || { echo 'curl none'; exit 0; }\n"
	"set --\n"
	"if [ \"$ca\" = 1 ] && [ -f \"$S/certs/okta-k8s-oidc-ca.crt\" ]; then\n"
	"  set -- --cacert \"$S/certs/okta-k8s-oidc-ca.crt\"\n"
	"elif [ \"$ca\" = 1 ]; then\n"
	"  echo 'ca none'; set -- --insecure\n"
	"fi\n"
	"r=$(curl -sS -o /dev/null -w 'http %{http_code}\\n' "
	    "--proto =https \\\n"
	"    --connect-timeout 5 --max-time 10 \"$@\" --url \"$url\" 2>&1)\n"
	"echo \"curl-exit $?\"\n"
	"printf '%s\\n' \"$r\"\n";

void
node_probe_release(struct node_probe *p)
{
	free(p->error);
	memset(p, 0, sizeof *p);
}

/* One line of the probe's answer. */
static void
probe_line(struct node_probe *p, const char *key, const char *value)
{
	if (strcmp(key, "now") == 0)
		p->now = strtoll(value, NULL, 10);
	else if (strcmp(key, "curl") == 0 && strcmp(value, "none") == 0)
		p->has_curl = false;
	else if (strcmp(key, "ca") == 0 && strcmp(value, "none") == 0)
		p->no_ca = true;
	else if (strcmp(key, "curl-exit") == 0)
		p->curl_status = atoi(value);
	else if (strcmp(key, "http") == 0)
		p->http_status = strtol(value, NULL, 10);
	else if (strcmp(key, "curl:") == 0 && p->error == NULL)
		p->error = output_clean(value);
}

int
node_probe_issuer(struct node *n, const char *url, bool with_ca,
    struct node_probe *p, char **cause)
{
	struct exec_result	 res;
	const char		*q, *end;
	char			*in, *key, *value;

	memset(p, 0, sizeof *p);
	p->has_curl = true;
	in = xasprintf("%s\n%d\n", url, with_ca ? 1 : 0);
	if (node_run_wait(n, "test the issuer", probe_script, in, strlen(in),
	    20, &res, cause) == -1) {
		free(in);
		return -1;
	}
	free(in);
	q = res.out.data;
	end = q + res.out.len;
	while (inventory_line(&q, end, &key, &value)) {
		probe_line(p, key, value);
		free(key);
		free(value);
	}
	exec_result_release(&res);
	if (p->now == 0) {
		node_probe_release(p);
		return set_cause(cause, "test the issuer: unexpected answer");
	}
	return 0;
}
