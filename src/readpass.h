/*
 * The one no-echo reader of the program: SSH passphrases and the Okta
 * password are typed here. Modelled on OpenSSH's readpassphrase(3): the
 * terminal (/dev/tty, never stdin) is put back as it was however the read
 * ends, and a SIGINT, SIGTERM, SIGHUP or SIGQUIT that arrives meanwhile
 * restores it first and then acts as it would have without the prompt.
 * Ctrl-Z stops the process with the terminal restored; once continued, the
 * prompt is asked again.
 */
#ifndef OKTA_READPASS_H
#define OKTA_READPASS_H

enum readpass_status {
	READPASS_OK,		/* *out holds the line (may be "") */
	READPASS_NO_TTY,	/* no terminal to ask on */
	READPASS_EOF,		/* end of input before anything was typed */
	READPASS_INTERRUPTED,	/* a signal whose handler returned */
};

/*
 * Write PROMPT to the terminal and read one line without echo. The line is
 * cut at 1023 bytes. On READPASS_OK *out is set (caller frees with
 * free_secret), else NULL. A signal whose disposition is the default ends
 * the process, the terminal restored; one with a handler runs that handler
 * once the terminal is back, and the read returns READPASS_INTERRUPTED.
 * Safe from several threads: one prompt at a time.
 */
enum readpass_status readpass(const char *prompt, char **out);

#endif
