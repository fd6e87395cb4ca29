/*
 * readpass on a pseudo-terminal: a child process whose controlling terminal
 * is the pty's slave asks; the test types on the master. What it checks:
 * echo off while asked and back on after, the line read, end of input, no
 * terminal at all, and a signal with a handler of its own (as during a
 * rollout): the terminal comes back, the handler runs, and readpass says
 * it was interrupted. (A signal left at its default ends the process: see
 * tests/e2e/secrets.sh.) And Ctrl-Z under a shell with job control: the
 * terminal comes back while stopped, and `fg` asks again with echo off.
 */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "readpass.h"
#include "tap.h"

#define PROMPT	"secret: "

static volatile sig_atomic_t handled, handled_echo;
static int child_tty = -1;
static bool child_setsid = true;	/* false: job_shell made the session */

/* The program's own handler: notes the signal, and whether echo was back
 * on by the time it ran. */
static void
on_signal(int sig)
{
	struct termios	t;

	handled = sig;
	handled_echo = tcgetattr(child_tty, &t) == 0 && (t.c_lflag & ECHO);
}

/* What the child reports through its pipe. */
struct verdict {
	int	status;
	int	handled;
	int	handled_echo;
	char	line[64];
};

/* The child: a session on SLAVE (or none when !TTY), readpass, a verdict. */
static void
child(int slave, bool tty, int report)
{
	struct sigaction	sa;
	struct verdict		v;
	char			*out = NULL;

	child_tty = slave;
	if (child_setsid) {
		setsid();
		if (tty)
			ioctl(slave, TIOCSCTTY, 0);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	memset(&v, 0, sizeof v);
	v.status = (int)readpass(PROMPT, &out);
	v.handled = handled;
	v.handled_echo = handled_echo;
	if (out != NULL)
		strncpy(v.line, out, sizeof v.line - 1);
	(void)!write(report, &v, sizeof v);
	_exit(0);
}

static bool
echo_on(int slave)
{
	struct termios	t;

	return tcgetattr(slave, &t) == 0 && (t.c_lflag & ECHO) != 0;
}

/* Read the master until PROMPT shows and echo is off: at most 30 s. */
static bool
wait_prompt(int master, int slave)
{
	struct pollfd	pfd = { .fd = master, .events = POLLIN };
	char		b[256], seen[1024] = "";
	size_t		len = 0;
	ssize_t		n;
	int		i;

	for (i = 0; i < 300; i++) {
		if (strstr(seen, PROMPT) != NULL && !echo_on(slave))
			return true;
		if (poll(&pfd, 1, 100) == 1 && (n = read(master, b,
		    sizeof b)) > 0 && len + (size_t)n < sizeof seen) {
			memcpy(seen + len, b, (size_t)n);
			len += (size_t)n;
			seen[len] = '\0';
		}
	}
	return false;
}

/* Has the child reported within 30 s? (It hangs if a signal is lost.) */
static bool
answered(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 30000) == 1;
}

/* Run one prompt; TYPE is written once it shows (NULL: nothing). */
static struct verdict
ask(bool tty, const char *type, bool *echo_back)
{
	struct verdict	v;
	int		master, slave, report[2], st;
	pid_t		pid;

	memset(&v, 0, sizeof v);
	v.status = -1;
	if (openpty(&master, &slave, NULL, NULL, NULL) == -1 ||
	    pipe(report) == -1)
		return v;
	if ((pid = fork()) == 0) {
		close(master);
		close(report[0]);
		child(slave, tty, report[1]);
	}
	close(report[1]);
	if (tty && !wait_prompt(master, slave))
		kill(pid, SIGKILL);
	else if (type != NULL)
		(void)!write(master, type, strlen(type));
	if (!answered(report[0]))
		kill(pid, SIGKILL);
	if (read(report[0], &v, sizeof v) != (ssize_t)sizeof v)
		v.status = -1;
	waitpid(pid, &st, 0);
	*echo_back = echo_on(slave);
	close(report[0]);
	close(master);
	close(slave);
	return v;
}

/*
 * As a shell with job control runs a command: the session leader puts the
 * prompting child in a process group of its own, in the foreground, and
 * waits. When Ctrl-Z stops it, the leader writes to STOPPED whether echo
 * is on, then continues it in the foreground, as `fg` does.
 */
static void
job_shell(int slave, int report, int stopped)
{
	pid_t	pid;
	int	st;
	char	echo;

	setsid();
	ioctl(slave, TIOCSCTTY, 0);
	signal(SIGTTOU, SIG_IGN);	/* tcsetpgrp from the background */
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		while (tcgetpgrp(slave) != getpid())
			usleep(1000);
		child(slave, true, report);
	}
	setpgid(pid, pid);
	tcsetpgrp(slave, pid);
	if (waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st)) {
		echo = echo_on(slave) ? '1' : '0';
		(void)!write(stopped, &echo, 1);
		tcsetpgrp(slave, pid);
		kill(pid, SIGCONT);
		waitpid(pid, &st, 0);
	}
	_exit(0);
}

/* Type BEFORE, then Ctrl-Z; once stopped and continued, type AFTER. */
static struct verdict
ask_suspended(const char *before, const char *after, char *echo_stopped,
    bool *reprompted)
{
	struct verdict	v;
	int		master, slave, report[2], stop[2], st;
	pid_t		pid;

	memset(&v, 0, sizeof v);
	v.status = -1;
	*echo_stopped = '?';
	*reprompted = false;
	if (openpty(&master, &slave, NULL, NULL, NULL) == -1 ||
	    pipe(report) == -1 || pipe(stop) == -1)
		return v;
	if ((pid = fork()) == 0) {
		close(master);
		close(report[0]);
		close(stop[0]);
		child_setsid = false;
		job_shell(slave, report[1], stop[1]);
	}
	close(report[1]);
	close(stop[1]);
	if (wait_prompt(master, slave)) {
		(void)!write(master, before, strlen(before));
		(void)!write(master, "\x1a", 1);
		if (answered(stop[0]) && read(stop[0], echo_stopped, 1) == 1 &&
		    (*reprompted = wait_prompt(master, slave)))
			(void)!write(master, after, strlen(after));
	}
	if (!answered(report[0]))
		kill(0 - pid, SIGKILL);
	if (read(report[0], &v, sizeof v) != (ssize_t)sizeof v)
		v.status = -1;
	waitpid(pid, &st, 0);
	close(report[0]);
	close(stop[0]);
	close(master);
	close(slave);
	return v;
}

int
main(void)
{
	struct verdict	v;
	bool		echo;

	v = ask(true, "hunter2\r", &echo);
	is_int(v.status, READPASS_OK, "a typed line is read");
	is_str(v.line, "hunter2", "... as typed, without the line end");
	ok(echo, "... and echo is on again");

	v = ask(true, "\r", &echo);
	ok(v.status == READPASS_OK && v.line[0] == '\0', "Enter alone: an "
	    "empty line");

	v = ask(true, "\x04", &echo);
	is_int(v.status, READPASS_EOF, "Ctrl-D on an empty line: end of input");
	ok(echo, "... and echo is on again");

	v = ask(true, "\x03", &echo);
	is_int(v.status, READPASS_INTERRUPTED, "Ctrl-C with a handler of the "
	    "program's own: interrupted");
	is_int(v.handled, SIGINT, "... and that handler ran");
	ok(v.handled_echo, "... once echo was on again");
	ok(echo, "... and echo stays on");

	v = ask(false, NULL, &echo);
	is_int(v.status, READPASS_NO_TTY, "no controlling terminal: said so");

	{
		char	echo_stopped;
		bool	again;

		v = ask_suspended("hun", "hunter2\r", &echo_stopped, &again);
		is_int(echo_stopped, '1', "Ctrl-Z: echo is on while stopped");
		ok(again, "continued: the prompt is asked again, echo off");
		is_int(v.status, READPASS_OK, "... and the line typed then "
		    "is read");
		is_str(v.line, "hunter2", "... alone (what came before Ctrl-Z "
		    "is dropped)");
	}
	return tap_done();
}
