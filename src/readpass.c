/*
 * Reading a secret from the terminal without echo (readpass.h). OpenSSH's
 * readpassphrase is the model; the difference is that okta-k8s asks from a
 * worker thread while other threads run, so the signal handler puts the
 * terminal back itself (tcsetattr is async-signal-safe) and the reader
 * waits for input in short polls, noticing a signal taken by another thread.
 * Ctrl-Z (and SIGTTIN, SIGTTOU) also puts the terminal back before the
 * process stops; once continued, echo goes off again and the prompt is
 * asked afresh, as readpassphrase does.
 */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "readpass.h"
#include "util.h"

#define READPASS_MAX	1024
#define READPASS_POLL_MS 200	/* how soon a signal on another thread
				   is seen */
/* The reader's own answer, never returned: stopped, ask again. */
#define READPASS_STOPPED ((enum readpass_status)(READPASS_INTERRUPTED + 1))

static const int readpass_sigs[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU,
};

static pthread_mutex_t		readpass_lock = PTHREAD_MUTEX_INITIALIZER;

/* The prompt in hand, for the handler. */
static int			tty_fd = -1;
static struct termios		tty_saved;
static struct sigaction		sig_saved[nitems(readpass_sigs)];
static volatile sig_atomic_t	sig_caught;
static volatile sig_atomic_t	tty_restored;
static volatile sig_atomic_t	stopped;	/* ask again once continued */

static int
sig_index(int sig)
{
	size_t	i;

	for (i = 0; i < nitems(readpass_sigs); i++) {
		if (readpass_sigs[i] == sig)
			return (int)i;
	}
	return -1;
}

static bool
is_stop_signal(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * The terminal back first, whichever thread took the signal. A default
 * disposition is put back and the signal raised again: it ends the process
 * once this handler returns. Otherwise the reader passes it on.
 */
static void
readpass_catch(int sig)
{
	int	saved = errno, i = sig_index(sig);

	if (!tty_restored) {
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
		tty_restored = 1;
		(void)!write(tty_fd, "\n", 1);
	}
	if (is_stop_signal(sig) && i >= 0) {
		/* Stop now (the signal is raised again once this returns);
		   the reader catches it anew when continued. */
		stopped = 1;
		sigaction(sig, &sig_saved[i], NULL);
		raise(sig);
		errno = saved;
		return;
	}
	sig_caught = sig;
	if (i >= 0 && sig_saved[i].sa_handler == SIG_DFL) {
		sigaction(sig, &sig_saved[i], NULL);
		raise(sig);
	}
	errno = saved;
}

/* Catch signal I of readpass_sigs, unless it was ignored. */
static void
readpass_catch_one(size_t i)
{
	struct sigaction	sa;
	size_t			j;

	if (sig_saved[i].sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = readpass_catch;
	sigemptyset(&sa.sa_mask);
	for (j = 0; j < nitems(readpass_sigs); j++)
		sigaddset(&sa.sa_mask, readpass_sigs[j]);
	sigaction(readpass_sigs[i], &sa, NULL);
}

/* Catch each signal that is not ignored; ON false: put them back. */
static void
readpass_signals(bool on)
{
	size_t	i;

	for (i = 0; i < nitems(readpass_sigs); i++) {
		if (on) {
			sigaction(readpass_sigs[i], NULL, &sig_saved[i]);
			readpass_catch_one(i);
		} else if (sig_saved[i].sa_handler != SIG_IGN)
			sigaction(readpass_sigs[i], &sig_saved[i], NULL);
	}
}

/* One line from the terminal into B (SIZE bytes, zeroed); the rest of a
 * longer line is read and dropped. */
static enum readpass_status
readpass_line(char *b, size_t size)
{
	struct pollfd	pfd = { .fd = tty_fd, .events = POLLIN };
	size_t		len = 0;
	ssize_t		n;
	char		ch;

	for (;;) {
		if (sig_caught != 0)
			return READPASS_INTERRUPTED;
		if (stopped)
			return READPASS_STOPPED;
		n = poll(&pfd, 1, READPASS_POLL_MS);
		if (n == 0 || (n == -1 && errno == EINTR))
			continue;
		if (n == -1 || (n = read(tty_fd, &ch, 1)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return READPASS_EOF;
		}
		if (n == 0)
			return len > 0 ? READPASS_OK : READPASS_EOF;
		if (ch == '\n' || ch == '\r')
			break;
		if (len + 1 < size)
			b[len++] = ch;
	}
	explicit_bzero(&ch, sizeof ch);
	return READPASS_OK;
}

/*
 * Echo off, the prompt, one line into B; again from the start each time a
 * stop signal stopped the process meanwhile.
 */
static enum readpass_status
readpass_ask(const char *prompt, char *b)
{
	struct termios		quiet;
	enum readpass_status	st;
	size_t			i;

	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	do {
		stopped = 0;
		for (i = 0; i < nitems(readpass_sigs); i++) {
			if (is_stop_signal(readpass_sigs[i]))
				readpass_catch_one(i);
		}
		explicit_bzero(b, READPASS_MAX);
		(void)write_all(tty_fd, prompt, strlen(prompt));
		tty_restored = 0;
		if (tcsetattr(tty_fd, TCSAFLUSH, &quiet) == -1)
			return READPASS_NO_TTY;
		st = readpass_line(b, READPASS_MAX);
	} while (st == READPASS_STOPPED);
	return st;
}

/* The prompt, the read, the terminal put back: under readpass_lock. */
static enum readpass_status
readpass_locked(const char *prompt, char *b)
{
	enum readpass_status	st;

	if ((tty_fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return READPASS_NO_TTY;
	if (tcgetattr(tty_fd, &tty_saved) == -1) {
		close(tty_fd);
		tty_fd = -1;
		return READPASS_NO_TTY;
	}
	sig_caught = 0;
	tty_restored = 1;
	readpass_signals(true);
	st = readpass_ask(prompt, b);
	/* Always: a signal taken between tty_restored = 0 and the quiet
	   tcsetattr restored too early. */
	tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	if (!tty_restored) {
		tty_restored = 1;
		(void)!write(tty_fd, "\n", 1);
	}
	readpass_signals(false);
	close(tty_fd);
	tty_fd = -1;
	return st;
}

enum readpass_status
readpass(const char *prompt, char **out)
{
	enum readpass_status	 st;
	char			*b;
	int			 sig;

	*out = NULL;
	b = xcalloc(1, READPASS_MAX);
	pthread_mutex_lock(&readpass_lock);
	st = readpass_locked(prompt, b);
	sig = sig_caught;
	pthread_mutex_unlock(&readpass_lock);
	if (st != READPASS_OK) {
		free_secret(b);
		b = NULL;
	}
	/* A signal with a handler of its own: that handler now runs. */
	if (sig != 0) {
		free_secret(b);
		raise(sig);
		return READPASS_INTERRUPTED;
	}
	*out = b;
	return st;
}
