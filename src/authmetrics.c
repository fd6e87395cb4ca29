/*
 * The authentication file's reload metrics from the apiserver's /metrics
 * (Prometheus text format 0.0.4: "# HELP"/"# TYPE" and comment lines,
 * then samples "name{label="value",...} value [timestamp]", label values
 * escaped with \\, \" and \n), and what they say about a reload.
 */
#include "build-config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "authmetrics.h"
#include "util.h"

#define M_RELOADS	AUTHMETRICS_PREFIX "automatic_reloads_total"
#define M_TIMESTAMP	AUTHMETRICS_PREFIX \
	"automatic_reload_last_timestamp_seconds"
#define M_INFO		AUTHMETRICS_PREFIX "last_config_info"

/* One sample line, taken apart. */
struct sample {
	char	*name;
	char	*status;	/* the "status" label, or NULL */
	char	*hash;		/* the "hash" label, or NULL */
	double	 value;
};

static void
sample_clear(struct sample *s)
{
	free(s->name);
	free(s->status);
	free(s->hash);
	memset(s, 0, sizeof *s);
}

static bool
name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || (!first && c >= '0' && c <= '9');
}

/* A metric or label name at *P (labels take no ':'; no matter here). */
static char *
take_name(const char **p)
{
	const char	*s = *p;

	if (!name_char(*s, true))
		return NULL;
	while (name_char(**p, false))
		(*p)++;
	return xstrndup(s, (size_t)(*p - s));
}

static void
skip_blanks(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* A quoted label value at *P, unescaped. NULL: not the format. */
static char *
take_label_value(const char **p)
{
	struct buf	b;
	const char	*s = *p;

	if (*s++ != '"')
		return NULL;
	buf_init(&b);
	for (; *s != '"'; s++) {
		if (*s == '\0' || *s == '\n')
			goto bad;
		if (*s == '\\') {
			s++;
			if (*s == 'n')
				buf_putc(&b, '\n');
			else if (*s == '\\' || *s == '"')
				buf_putc(&b, *s);
			else
				goto bad;
		} else
			buf_putc(&b, *s);
	}
	*p = s + 1;
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
bad:
	buf_release(&b);
	return NULL;
}

/* The labels between braces at *P (after '{'); keep status and hash. */
static const char *
take_labels(const char **p, struct sample *s)
{
	char	*name, *value;

	for (;;) {
		skip_blanks(p);
		if (**p == '}') {
			(*p)++;
			return NULL;
		}
		if ((name = take_name(p)) == NULL)
			return "a label name was expected";
		skip_blanks(p);
		if (**p != '=') {
			free(name);
			return "'=' was expected after a label name";
		}
		(*p)++;
		skip_blanks(p);
		if ((value = take_label_value(p)) == NULL) {
			free(name);
			return "a quoted label value was expected";
		}
		if (strcmp(name, "status") == 0 && s->status == NULL)
			s->status = value;
		else if (strcmp(name, "hash") == 0 && s->hash == NULL)
			s->hash = value;
		else
			free(value);
		free(name);
		skip_blanks(p);
		if (**p == ',')
			(*p)++;
		else if (**p != '}')
			return "',' or '}' was expected after a label";
	}
}

/* The value (Go's ParseFloat: also +Inf, -Inf, NaN) and an optional
 * timestamp, to the end of the line at *P. */
static const char *
take_value(const char *p, struct sample *s)
{
	char	*end;

	if (*p != ' ' && *p != '\t')
		return "a space was expected before the value";
	skip_blanks(&p);
	errno = 0;
	s->value = strtod(p, &end);
	if (end == p || errno == ERANGE)
		return "a number was expected";
	if (strncmp(p, "0x", 2) == 0 || strncmp(p, "0X", 2) == 0)
		return "a number was expected";
	p = end;
	skip_blanks(&p);
	if (*p == '\0')
		return NULL;
	strtoll(p, &end, 10);
	if (end == p)
		return "a timestamp was expected after the value";
	p = end;
	skip_blanks(&p);
	return *p == '\0' ? NULL : "unexpected text after the value";
}

/* LINE (a NUL-terminated sample line) into S; a reason when it is not
 * the format. */
static const char *
take_sample(const char *line, struct sample *s)
{
	const char	*p = line, *why;

	const char	*q;

	if ((s->name = take_name(&p)) == NULL)
		return "a metric name was expected";
	q = p;
	skip_blanks(&q);
	if (*q == '{') {
		p = q + 1;
		if ((why = take_labels(&p, s)) != NULL)
			return why;
	}
	return take_value(p, s);
}

/* Fold sample S into M. */
static void
fold(struct authmetrics *m, const struct sample *s)
{
	bool	ok = s->status != NULL && strcmp(s->status, "success") == 0;
	bool	ko = s->status != NULL && strcmp(s->status, "failure") == 0;

	if (strcmp(s->name, M_RELOADS) == 0) {
		m->seen = true;
		if (ok)
			m->success += s->value;
		else if (ko)
			m->failure += s->value;
	} else if (strcmp(s->name, M_TIMESTAMP) == 0) {
		m->seen = true;
		if (ok && (!m->has_success_ts || s->value > m->success_ts)) {
			m->has_success_ts = true;
			m->success_ts = s->value;
		} else if (ko && (!m->has_failure_ts ||
		    s->value > m->failure_ts)) {
			m->has_failure_ts = true;
			m->failure_ts = s->value;
		}
	} else if (strcmp(s->name, M_INFO) == 0) {
		m->seen = true;
		if (s->hash != NULL && s->value == 1) {
			free(m->hash);
			m->hash = xstrdup(s->hash);
		}
	}
}

/* Read the /metrics text; see authmetrics.h. */
int
authmetrics_parse(const char *text, size_t len, struct authmetrics *m,
    char **cause)
{
	struct sample	 s;
	const char	*why = NULL, *p;
	char		*line;
	size_t		 i = 0, n, lineno = 0;
	int		 rc = 0;

	memset(m, 0, sizeof *m);
	memset(&s, 0, sizeof s);
	if (memchr(text, '\0', len) != NULL)
		return set_cause(cause, "/metrics: the answer holds a NUL "
		    "byte");
	while (i < len && rc == 0) {
		lineno++;
		n = 0;
		while (i + n < len && text[i + n] != '\n')
			n++;
		line = xstrndup(text + i, n > 0 && text[i + n - 1] == '\r' ?
		    n - 1 : n);
		i += n + 1;
		p = line;
		skip_blanks(&p);
		if (*p != '\0' && *p != '#') {
			if ((why = take_sample(p, &s)) != NULL)
				rc = set_cause(cause, "/metrics line %zu: %s",
				    lineno, why);
			else
				fold(m, &s);
			sample_clear(&s);
		}
		free(line);
	}
	return rc;
}

void
authmetrics_release(struct authmetrics *m)
{
	free(m->hash);
	memset(m, 0, sizeof *m);
}

/* "sha256:<hex>" of DATA; caller frees. */
char *
authmetrics_hash(const void *data, size_t len)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;
	char		*out;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		fatal("sha256 failed");
	out = xmalloc(strlen("sha256:") + 2 * mdlen + 1);
	strcpy(out, "sha256:");
	for (i = 0; i < mdlen; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	return out;
}

/* Without a hash: the counters, and the node's two timestamps. */
static enum authreload
judge_counters(const struct authmetrics *before, const struct authmetrics *now)
{
	bool	ok = now->success > before->success;
	bool	ko = now->failure > before->failure;

	if (ok && ko) {
		if (now->has_success_ts && now->has_failure_ts)
			return now->success_ts >= now->failure_ts ?
			    AUTHRELOAD_ACTIVE : AUTHRELOAD_FAILED;
		return AUTHRELOAD_FAILED;
	}
	if (ok)
		return AUTHRELOAD_ACTIVE;
	return ko ? AUTHRELOAD_FAILED : AUTHRELOAD_PENDING;
}

/* What NOW says of the reload; see authmetrics.h. */
enum authreload
authmetrics_judge(const struct authmetrics *before,
    const struct authmetrics *now, const char *want_hash)
{
	if (now->success < before->success || now->failure < before->failure)
		return AUTHRELOAD_RESTARTED;
	if (now->hash != NULL && want_hash != NULL) {
		if (strcmp(now->hash, want_hash) == 0)
			return AUTHRELOAD_ACTIVE;
		return now->failure > before->failure ? AUTHRELOAD_FAILED :
		    AUTHRELOAD_PENDING;
	}
	return judge_counters(before, now);
}

const char *
authreload_name(enum authreload r)
{
	switch (r) {
	case AUTHRELOAD_ACTIVE:
		return "active";
	case AUTHRELOAD_FAILED:
		return "failed";
	case AUTHRELOAD_RESTARTED:
		return "restarted";
	case AUTHRELOAD_PENDING:
		break;
	}
	return "pending";
}
