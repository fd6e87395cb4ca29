/*
 * What `okta-k8s __complete` prints from outside cmd/main.c's tables: the
 * node names of the config, for the shells' completion of --node, and the
 * config's keys, for the man pages' test. Nothing here reaches a node.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "fleet.h"

int
cmd_complete_nodes(const char *config_path)
{
	struct config	*c = NULL;
	char		*cause = NULL;
	size_t		 i;

	/* A completion prints nothing rather than an error mid-line. */
	if (config_load(config_path, &c, &cause) == -1) {
		free(cause);
		return EXIT_ERROR;
	}
	for (i = 0; i < c->n_nodes; i++)
		printf("%s\n", c->nodes[i].name);
	config_free(c);
	return EXIT_OK;
}

int
cmd_complete_keys(void)
{
	struct strvec	keys = { 0 };
	size_t		i;

	config_keys(&keys);
	for (i = 0; i < keys.n; i++)
		printf("%s\n", keys.v[i]);
	strvec_clear(&keys);
	return EXIT_OK;
}
