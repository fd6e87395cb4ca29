#!/usr/bin/python3
"""The person at the browser, for the device flow of tests/oidc/certified.

    browser.py ISSUER CA_FILE USER_CODE LOGIN [--abort]

Walks the provider's own pages as a browser would, keeping its cookies:
GET ISSUER/device?user_code=CODE (the verification_uri_complete: a form
that submits itself with its xsrf token), the confirmation form (confirm=yes,
or the Abort button: abort=yes), the sign-in page of the provider's
interactions (login LOGIN, any password), then the consent page, until the
provider shows "Sign-in Success" (or the interrupted sign-in after --abort).

The pages and their fields are node-oidc-provider's own:
lib/helpers/user_code_form.js (op.deviceConfirmForm: xsrf, user_code,
confirm), lib/helpers/defaults.js (userCodeConfirmSource's Abort button,
successSource), lib/views/login.js and lib/views/interaction.js (prompt
login / consent) and lib/actions/interaction.js (the devInteractions
submit: the login is the account id).  Exit 0 when the page expected came,
1 with the page's text on stderr otherwise.
"""

import html
import http.cookiejar
import re
import ssl
import sys
import urllib.parse
import urllib.request


def form(page):
    """(action, {hidden name: value}) of the page's first form."""
    m = re.search(r'<form [^>]*action="([^"]+)"', page)
    if not m:
        raise ValueError("no form on the page")
    end = page.find("</form>", m.end())
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             page[m.end():end]))
    return html.unescape(m.group(1)), {k: html.unescape(v) for k, v in hidden.items()}


def main(argv):
    issuer, ca, code, login = argv[:4]
    abort = "--abort" in argv[4:]
    ctx = ssl.create_default_context(cafile=ca)
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ctx),
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(url, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        with opener.open(urllib.parse.urljoin(issuer + "/", url), data, timeout=20) as r:
            return r.read().decode("utf-8", "replace")

    want = "The Sign-in request was interrupted" if abort else "Sign-in Success"
    page = get("%s/device?%s" % (issuer, urllib.parse.urlencode({"user_code": code})))
    for _ in range(8):
        if want in page or "<form" not in page:
            break
        action, fields = form(page)
        if 'id="op.deviceConfirmForm"' in page:     # the code confirmed
            if abort:
                fields["abort"] = "yes"
        elif fields.get("prompt") == "login":       # the sign-in page
            fields.update(login=login, password="any")
        page = get(action, fields)      # else: consent, or the auto-submit
    if want not in page:
        sys.stderr.write("browser.py: wanted %r, got:\n%s\n" % (want, page))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
