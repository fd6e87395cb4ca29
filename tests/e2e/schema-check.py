#!/usr/bin/python3
"""schema-check.py SCHEMA_DIR COMMAND FILE: FILE (okta-k8s COMMAND -o json)
is one JSON document valid against SCHEMA_DIR/COMMAND.json, strictly: a
field the output has and the schema does not describe fails too, so the
schemas cannot fall behind the code (the published schemas allow unknown
fields: within v1 fields are only added). Prints why on failure."""
import copy
import json
import os
import sys

import warnings

import jsonschema

# RefResolver is what Debian 12's jsonschema (4.10) has; newer ones warn.
warnings.filterwarnings("ignore", category=DeprecationWarning)


def strict(node):
    """Every described object refuses undescribed members."""
    if isinstance(node, dict):
        t = node.get("type")
        types = t if isinstance(t, list) else [t]
        if "object" in types and "properties" in node:
            node.setdefault("additionalProperties", False)
        for v in node.values():
            strict(v)
    elif isinstance(node, list):
        for v in node:
            strict(v)
    return node


def main():
    sdir, command, path = sys.argv[1:4]
    sdir = os.path.abspath(sdir)
    store = {}
    for name in os.listdir(sdir):
        if name.endswith(".json"):
            with open(os.path.join(sdir, name)) as f:
                doc = strict(json.load(f))
            store["file://" + os.path.join(sdir, name)] = doc
    uri = "file://" + os.path.join(sdir, command + ".json")
    schema = store[uri]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    resolver = jsonschema.RefResolver(uri, schema, store=copy.deepcopy(store))
    with open(path) as f:
        text = f.read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        print("# %s: not one JSON document: %s" % (path, e))
        return 1
    errors = sorted(cls(schema, resolver=resolver).iter_errors(doc),
                    key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        print("# %s: %s: %s" % (command, where, e.message[:300]))
    return 1 if errors else 0


sys.exit(main())
