/*
 * The issuer's CA file (oidc.ca_file): what okta-k8s copies to every node
 * and trusts itself must be one or more X.509 certificates in PEM, and
 * never a private key. Pure: the bytes in, a verdict out.
 */
#ifndef OKTA_CACERT_H
#define OKTA_CACERT_H

#include <stddef.h>

/*
 * Check TEXT (LEN bytes) as a CA file: only CERTIFICATE blocks, each an
 * X.509 certificate OpenSSL parses, at least one; nothing that looks like a
 * private key anywhere (a "-----BEGIN ... PRIVATE KEY-----" block, encrypted
 * or not, a PuTTY key, a DER key). Returns the number of certificates, or -1
 * with *cause set to what is wrong and how to fix it, to follow the file's
 * name ("holds a private key (line 30: ...); ..."; caller frees).
 */
int cacert_check(const char *text, size_t len, char **cause);

#endif
