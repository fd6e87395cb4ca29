#!/usr/bin/python3
"""man-coverage.py OKTA_K8S SRCDIR PAGE1 PAGE5: print, one a line, what the
code knows and the man pages do not document; exit 1 when anything is.
The lists come from the code's own tables, so the pages cannot drift:
commands, their options and the global options from cmd/main.c's tables
(okta-k8s __complete commands|options), config keys from src/config.c's
(okta-k8s __complete keys), exit codes from cmd/cmd.h's enum, and the
environment variables the code reads (getenv("NAME") and NAME_ENV macros)."""
import re
import subprocess
import sys


def words(okta, *args):
    out = subprocess.run([okta, "__complete"] + list(args), check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return [w.split(" ")[0] for w in out.splitlines() if w]


def section(text, name):
    m = re.search(r"^\.Sh %s\n(.*?)(?=^\.Sh |\Z)" % re.escape(name), text,
                  re.M | re.S)
    return m.group(1) if m else ""


def command_blocks(text):
    """COMMANDS' items: name -> the lines up to the next command."""
    blocks, name = {}, None
    for line in section(text, "COMMANDS").splitlines():
        m = re.match(r"\.It Cm (\S+)", line)
        if m:
            name = m.group(1)
            blocks[name] = ""
        elif name:
            blocks[name] += line + "\n"
    return blocks


def has_flag(text, opt):
    """OPT (--name or -x) written with Fl, as mdoc wants."""
    flag = opt[1:]
    return re.search(r"\bFl %s(?![\w-])" % re.escape(flag), text) is not None


def main():
    okta, src, p1, p5 = sys.argv[1:5]
    man1, man5 = open(p1).read(), open(p5).read()
    missing = []
    globals_ = words(okta, "options")
    opts = section(man1, "OPTIONS")
    missing += ["global option %s" % o for o in globals_
                if not has_flag(opts, o)]
    blocks = command_blocks(man1)
    for c in words(okta, "commands"):
        if c not in blocks:
            missing.append("command %s" % c)
            continue
        # An item of its own under the command, not the synopsis alone.
        text = "\n".join(l for l in blocks[c].splitlines()
                         if l.startswith(".It Fl "))
        for o in words(okta, "options", c):
            if o not in globals_ and not has_flag(text, o):
                missing.append("option %s of %s" % (o, c))
    for k in words(okta, "keys"):
        if not re.search(r"^\.It Ic %s$" % re.escape(k), man5, re.M):
            missing.append("config key %s" % k)
    codes = re.findall(r"\b(EXIT_\w+) = (\d+)",
                       open(src + "/cmd/cmd.h").read())
    if not codes:
        missing.append("the exit codes (no EXIT_ enum in cmd/cmd.h)")
    exits = section(man1, "EXIT STATUS")
    for name, n in codes:
        if not re.search(r"^\.It %s$" % n, exits, re.M):
            missing.append("exit code %s (%s)" % (n, name))
    env = section(man1, "ENVIRONMENT")
    code = ""
    for d in ("src", "cmd"):
        code += subprocess.run(["sh", "-c", "cat %s/%s/*.c" % (src, d)],
                               stdout=subprocess.PIPE, text=True).stdout
    names = set(re.findall(r'getenv\("(\w+)"\)', code))
    names |= set(re.findall(r'#define \w+_ENV\s+"(\w+)"', code))
    for v in sorted(names):
        if not re.search(r"^\.It Ev %s$" % v, env, re.M):
            missing.append("environment variable %s" % v)
    for m in missing:
        print(m)
    return 1 if missing else 0


sys.exit(main())
