/*
 * --version: okta-k8s's own version and the versions of the libraries it
 * runs with, asked of each library as it is loaded (not the headers it was
 * built against), for bug reports.
 */
#include "build-config.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libssh2.h>
#include <stdio.h>
#include <yaml.h>

#include "cmd.h"

void
cmd_version_print(FILE *f)
{
	const curl_version_info_data	*curl;

	curl = curl_version_info(CURLVERSION_NOW);
	fprintf(f, "okta-k8s %s\n", PACKAGE_VERSION);
	fprintf(f, "libssh2 %s\n", libssh2_version(0));
	fprintf(f, "libcurl %s (%s)\n", curl->version,
	    curl->ssl_version != NULL ? curl->ssl_version : "no TLS");
	fprintf(f, "jansson %s\n", jansson_version_str());
	fprintf(f, "libyaml %s\n", yaml_get_version_string());
}
