#!/usr/bin/env python3
"""Every line a `codex app-server` wrote validates against the real binary's JSON Schema.

Usage: schema_check.py SCHEMA_DIR TRANSCRIPT.jsonl|DIR...

A transcript is the corpus format: one {"t_ms", "dir": "c2s"|"s2c", "line"} object per line
(tests/corpus/app-server-0.171.0/*/transcript.jsonl, or what test_conformance_appserver dumps
with CODEX_MOCK_APPSERVER_DUMP). A DIR stands for every transcript.jsonl below it.

Which schema a server line must satisfy (SCHEMA_DIR is the output of
`codex app-server generate-json-schema`):
  - {"method", "params", "emittedAtMs"}   a notification: its branch of ServerNotification.json
    (picked by method; the top-level `emittedAtMs` property checked too, and required);
  - {"method", "id", "params"}            a server request: its branch of ServerRequest.json;
  - {"error", "id"}                       JSONRPCError.json;
  - {"id", "result"}                      the response of the client request with that id: the
    request's params type in ClientRequest.json names it (`ThreadStartParams` →
    v2/ThreadStartResponse.json, `InitializeParams` → v1/InitializeResponse.json).
Client lines only tell which method each request id had (later ones win, as ids repeat only
across processes). A line of no known shape, a method the schema does not have, or an answer
to an id the client never asked fails.

Validation is python3-jsonschema's Draft7Validator (the schema's own $schema); exit 0 when all
lines pass, 1 with one report line per failure, 2 on a usage error."""
import json
import os
import sys

try:
    import jsonschema
except ImportError:  # tools/setup installs python3-jsonschema
    print("schema_check: python3-jsonschema is missing (apt-get install python3-jsonschema)",
          file=sys.stderr)
    sys.exit(77)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Schemas:
    def __init__(self, root):
        self.root = root
        self.cache = {}
        self.notif = self._branches("ServerNotification.json")
        self.sreq = self._branches("ServerRequest.json")
        self.error = self._validator(load(os.path.join(root, "JSONRPCError.json")))
        creq = load(os.path.join(root, "ClientRequest.json"))
        self.response_of = {}  # method → response file, or None when it has no params type
        for b in creq["oneOf"]:
            method = b["properties"]["method"]["enum"][0]
            ref = b["properties"].get("params", {}).get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            self.response_of[method] = self._response_file(name) if name else None

    def _response_file(self, params_name):
        if not params_name.endswith("Params"):
            return None
        resp = params_name[: -len("Params")] + "Response.json"
        for sub in ("v2", "v1", ""):
            p = os.path.join(self.root, sub, resp)
            if os.path.exists(p):
                return p
        return None

    @staticmethod
    def _validator(schema):
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        return cls(schema)

    def _branches(self, fname):
        top = load(os.path.join(self.root, fname))
        out = {}
        for b in top["oneOf"]:
            method = b["properties"]["method"]["enum"][0]
            schema = dict(b)
            schema["definitions"] = top["definitions"]
            schema["$schema"] = top["$schema"]
            if "properties" in top:  # emittedAtMs on every notification
                props = dict(schema["properties"])
                props.update(top["properties"])
                schema["properties"] = props
                schema["required"] = list(schema.get("required", [])) + list(top["properties"])
            out[method] = self._validator(schema)
        return out

    def file_validator(self, path):
        if path not in self.cache:
            self.cache[path] = self._validator(load(path))
        return self.cache[path]


def errors_of(validator, value):
    return ["%s at /%s" % (e.message[:300], "/".join(str(p) for p in e.absolute_path))
            for e in validator.iter_errors(value)]


def check_transcript(path, sch, report):
    methods = {}  # request id (as JSON text) → method
    n = 0
    pending = ""  # a client line written in pieces ("eol": false)
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            rec = json.loads(raw)
            text = rec.get("line", "")
            try:
                msg = json.loads(text)
            except ValueError:
                msg = None
                if rec["dir"] == "s2c":
                    report.append("%s:%d: server line is not JSON: %.200s" % (path, lineno, text))
                    continue
            if rec["dir"] == "c2s":
                if rec.get("eol", True) is False or pending:
                    pending += text
                    if rec.get("eol", True) is False:
                        continue
                    try:
                        msg = json.loads(pending)
                    except ValueError:
                        msg = None
                    pending = ""
                if isinstance(msg, dict) and "method" in msg and "id" in msg:
                    methods[json.dumps(msg["id"])] = msg["method"]
                continue
            n += 1
            where = "%s:%d" % (path, lineno)
            if not isinstance(msg, dict):
                report.append("%s: not an object: %.200s" % (where, text))
                continue
            if "method" in msg and "id" not in msg:
                v = sch.notif.get(msg["method"])
                what = "notification " + str(msg["method"])
            elif "method" in msg:
                v = sch.sreq.get(msg["method"])
                what = "server request " + str(msg["method"])
            elif "error" in msg:
                v, what = sch.error, "error response"
            elif "result" in msg and "id" in msg:
                method = methods.get(json.dumps(msg["id"]))
                if method is None:
                    report.append("%s: a result for id %s, which no request had" % (where, msg["id"]))
                    continue
                rf = sch.response_of.get(method)
                v = sch.file_validator(rf) if rf else None
                what = "response to " + method
            else:
                report.append("%s: a line of no known shape: %.200s" % (where, text))
                continue
            if v is None:
                report.append("%s: the schema has no %s" % (where, what))
                continue
            for e in errors_of(v, msg["result"] if what.startswith("response") else msg):
                report.append("%s: %s: %s" % (where, what, e))
    return n


def main(argv):
    if len(argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    sch = Schemas(argv[1])
    files = []
    for p in argv[2:]:
        if os.path.isdir(p):
            for d, _, names in sorted(os.walk(p)):
                files += [os.path.join(d, x) for x in sorted(names) if x == "transcript.jsonl"]
        else:
            files.append(p)
    if not files:
        print("schema_check: no transcripts in %s" % " ".join(argv[2:]), file=sys.stderr)
        return 2
    report, lines = [], 0
    for f in files:
        lines += check_transcript(f, sch, report)
    for r in report:
        print(r)
    print("schema_check: %d server lines in %d transcripts, %d failures"
          % (lines, len(files), len(report)), file=sys.stderr)
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
