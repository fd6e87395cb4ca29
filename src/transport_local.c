/*
 * The local transport: scripts run by /bin/sh on this machine, with an
 * environment of their own. The user's is not passed on: it may hold
 * OKTA_CLIENT_SECRET, OKTA_PASSWORD or OKTA_K8S_SSH_PASSPHRASE, which must
 * not reach curl, snap or microk8s. What is passed is what a root shell
 * needs and what sshd gives a command on a node (sudo's env_reset keeps no
 * more): HOME, USER, LOGNAME, SHELL and PATH. The scripts set their own
 * PATH (/snap/bin first) and LC_ALL=C; no TERM (no terminal), no LANG.
 */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transport.h"

#define LOCAL_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
			"/usr/bin:/sbin:/bin"

struct local_transport {
	struct transport	 t;	/* first: the transport is this */
	struct strvec		 env;	/* NAME=VALUE..., NULL-terminated */
};

/* The scripts' environment, for the user this runs as (made before any
 * fork: getpwuid is not for a child of a threaded process). */
static void
local_env(struct strvec *env)
{
	struct passwd	*pw = getpwuid(geteuid());

	strvec_push(env, "PATH=" LOCAL_PATH);
	strvec_push(env, "SHELL=/bin/sh");
	if (pw != NULL) {
		strvec_push_nodup(env, xasprintf("HOME=%s", pw->pw_dir));
		strvec_push_nodup(env, xasprintf("USER=%s", pw->pw_name));
		strvec_push_nodup(env, xasprintf("LOGNAME=%s", pw->pw_name));
	} else
		strvec_push(env, "HOME=/");
}

static void
local_child(int in_fd, int out_fd, int err_fd, const char *script,
    char *const env[])
{
	/* Its own process group: Ctrl-C on the terminal must not kill it. */
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, 0) == -1 || dup2(out_fd, 1) == -1 ||
	    dup2(err_fd, 2) == -1)
		_exit(126);
	if (geteuid() == 0) {
		execve("/bin/sh", (char *const []){ "sh", "-c",
		    (char *)script, NULL }, env);
	} else {
		execvpe("sudo", (char *const []){ "sudo", "-n", "/bin/sh",
		    "-c", (char *)script, NULL }, env);
	}
	_exit(127);
}

/* Feed IN to FDS[0] and drain FDS[1], FDS[2] until both close. */
static int
local_pump(int fds[3], const char *in, size_t inlen, struct exec_result *res)
{
	struct pollfd	pfd[3];
	char		chunk[8192];
	size_t		off = 0;
	ssize_t		n;
	int		i, open_fds = 3;

	for (i = 0; i < 3; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = i == 0 ? POLLOUT : POLLIN;
	}
	if (inlen == 0) {
		close(fds[0]);
		pfd[0].fd = -1;
		open_fds--;
	}
	while (open_fds > 0) {
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[0].fd != -1 && pfd[0].revents != 0) {
			n = write(pfd[0].fd, in + off, inlen - off);
			if (n > 0)
				off += (size_t)n;
			if ((n == -1 && errno != EINTR && errno != EAGAIN) ||
			    off == inlen) {
				close(pfd[0].fd);
				pfd[0].fd = -1;
				open_fds--;
			}
		}
		for (i = 1; i < 3; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, chunk, sizeof chunk);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			buf_add(i == 1 ? &res->out : &res->err, chunk,
			    (size_t)n);
		}
	}
	return 0;
}

static int
local_exec(struct transport *t, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause)
{
	int	pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	int	fds[3], status, saved;
	pid_t	pid;

	memset(res, 0, sizeof *res);
	buf_init(&res->out);
	buf_init(&res->err);
	if (pipe2(pin, O_CLOEXEC) == -1 || pipe2(pout, O_CLOEXEC) == -1 ||
	    pipe2(perr, O_CLOEXEC) == -1)
		goto fail;
	if ((pid = fork()) == -1)
		goto fail;
	if (pid == 0)
		local_child(pin[0], pout[1], perr[1], script,
		    ((struct local_transport *)t)->env.v);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	fds[0] = pin[1];
	fds[1] = pout[0];
	fds[2] = perr[0];
	signal(SIGPIPE, SIG_IGN);
	local_pump(fds, in, inlen, res);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			return set_cause(cause, "%s: wait: %s", t->name,
			    strerror(errno));
	}
	if (WIFEXITED(status))
		res->status = WEXITSTATUS(status);
	else
		res->status = 128 + WTERMSIG(status);
	return 0;

fail:
	saved = errno;
	for (int i = 0; i < 2; i++) {
		if (pin[i] != -1)
			close(pin[i]);
		if (pout[i] != -1)
			close(pout[i]);
		if (perr[i] != -1)
			close(perr[i]);
	}
	exec_result_release(res);
	return set_cause(cause, "%s: run /bin/sh: %s", t->name,
	    strerror(saved));
}

static void
local_free(struct transport *t)
{
	struct local_transport	*lt = (struct local_transport *)t;

	free(t->name);
	strvec_clear(&lt->env);
	free(lt);
}

static const struct transport_ops local_ops = {
	.exec = local_exec,
	.free = local_free,
};

struct transport *
transport_local_new(const char *name)
{
	struct local_transport	*lt;

	lt = xcalloc(1, sizeof *lt);
	lt->t.ops = &local_ops;
	lt->t.name = xstrdup(name);
	local_env(&lt->env);
	return &lt->t;
}
