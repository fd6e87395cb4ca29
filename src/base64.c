/*
 * Base64 (RFC 4648 §4) and base64url (§5): one encoder and one decoder,
 * given the alphabet. Pure: bytes in, text out, and back. It must not
 * know what it encodes (keys, tokens, PEM bodies): callers frame it.
 */
#include "build-config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "util.h"

static const char std_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *
encode(const char *alphabet, const unsigned char *p, size_t len, bool pad)
{
	char		*out, *o;
	uint32_t	 v;
	size_t		 i, left;

	out = o = xmalloc(len / 3 * 4 + 5);
	for (i = 0; i < len; i += 3) {
		left = len - i;
		v = (uint32_t)p[i] << 16;
		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
		if (left > 1)
			*o++ = alphabet[(v >> 6) & 63];
		else if (pad)
			*o++ = '=';
		if (left > 2)
			*o++ = alphabet[v & 63];
		else if (pad)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}

static unsigned char *
decode(const char *alphabet, const char *s, size_t len, size_t *outlen)
{
	unsigned char	*out;
	const char	*at;
	uint32_t	 acc = 0;
	size_t		 i, n = 0;
	int		 bits = 0;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return NULL;
	out = xmalloc(len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		if (s[i] == '\0' || (at = strchr(alphabet, s[i])) == NULL) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (uint32_t)(at - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

char *
base64_encode(const unsigned char *p, size_t len, bool pad)
{
	return encode(std_alphabet, p, len, pad);
}

char *
base64url_encode(const unsigned char *p, size_t len)
{
	return encode(url_alphabet, p, len, false);
}

unsigned char *
base64_decode(const char *s, size_t len, size_t *outlen)
{
	return decode(std_alphabet, s, len, outlen);
}

unsigned char *
base64url_decode(const char *s, size_t len, size_t *outlen)
{
	return decode(url_alphabet, s, len, outlen);
}
