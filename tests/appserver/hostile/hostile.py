#!/usr/bin/env python3
"""Hostile JSON-RPC inputs for `codex app-server`: the case definitions and a runner.

  hostile.py record BIN [NAME...]   run each case against BIN (the real 0.171.0 binary) and
                                    rewrite cases.jsonl with what it answered ("real": true)
  hostile.py show BIN NAME          run one case against BIN and print what came back

cases.jsonl (next to this file) is the data the cmocka driver tests/test_e2e_appserver_hostile.c
replays against build/bin/codex. One case a line:
  name      unique name
  in        the bytes written after the handshake, as text (JSON string); or
  in_pct    the same, percent-encoded (%XX = one byte), for NUL, invalid UTF-8 and such; or
  gen       a generated input: {"deep": N} (N nested arrays), {"big_mb": N} (a request whose
            params hold an N MB string), {"flood": N} (N requests written without reading stdout)
  handshake false: no initialize before the input (default true)
  eof       true: stdin is closed right after the input (no follow-up request)
  ends      true: the server stops reading (invalid UTF-8): no follow-up answer, exit 0
  out       the stdout lines the input gets (compared as a sorted multiset; notifications
            `configWarning` / `remoteControl/status/changed` of the handshake aside)
  err       the stderr lines it gets, ANSI colours and the timestamp stripped (the bubblewrap
            warning aside)
  later     a method the fake does not emulate yet (issue 12 part 4): while it answers
            "codex-mock: … not emulated", the driver reports the case skipped
  real      true: `out`/`err` are what the real codex-cli 0.171.0 printed (recorded by this
            script); false: taken from the reference (docs) where the real one is not
            deterministic (the flood)
After every case but eof/ends ones the driver sends FOLLOW and expects FOLLOW_ANSWER: the
server still serves.
"""
import json, os, select, subprocess, sys, tempfile, time, re

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases.jsonl")
INIT = '{"id":"init","method":"initialize","params":{"clientInfo":{"name":"hostile","title":null,"version":"1.0.0"}}}\n'
FOLLOW = '{"id":"after","method":"thread/loaded/list","params":{}}\n'
UNKNOWN = "019df000-0000-7000-8000-000000000000"


def pct(s):
    return "".join(c if c != "%" else "%25" for c in s)


def req(i, method, params, extra=""):
    p = "" if params is None else ',"params":' + params
    return '{"id":%s,"method":"%s"%s%s}\n' % (i, method, p, extra)


def C(name, inp=None, **kw):
    c = {"name": name}
    if inp is not None:
        c["in"] = inp
    c.update(kw)
    return c


LL = '"thread/loaded/list"'
def ll(i, extra=""):
    return '{"id":%s,"method":"thread/loaded/list","params":{}%s}\n' % (i, extra)

def ts(field_json):
    # turn/start with one field changed (the others valid)
    base = {"threadId": UNKNOWN, "input": [{"type": "text", "text": "hi"}]}
    return base, field_json

def turn(i, params):
    return '{"id":%d,"method":"turn/start","params":%s}\n' % (i, params)

TI = '"input":[{"type":"text","text":"hi"}]'
TT = '"threadId":"%s"' % UNKNOWN

CASE_LIST = [
    # --- not a JSON-RPC message
    C("not_json", "this is not json\n"),
    C("json_array", "[1,2,3]\n"),
    C("batch", "[" + ll(10).strip() + "," + ll(11).strip() + "]\n"),
    C("scalar_number", "42\n"),
    C("scalar_string", '"hello"\n'),
    C("scalar_null", "null\n"),
    C("scalar_true", "true\n"),
    C("empty_object", "{}\n"),
    C("method_not_string", '{"id":12,"method":42,"params":{}}\n'),
    C("id_without_result", '{"id":13}\n'),
    C("blank_line", "\n"),
    C("spaces_line", "   \t \n"),
    C("trailing_garbage", ll(14).strip() + " xyz\n"),
    C("two_objects_one_line", ll(15).strip() + ll(16)),
    C("bom", "\ufeff" + ll(17)),
    C("crlf", ll(18).strip() + "\r\n"),
    C("unterminated_object", '{"id": 19, "method": \n'),
    C("duplicate_key", '{"id":20,"id":21,"method":"thread/loaded/list","params":{}}\n'),
    C("nul_raw_start", in_pct="%00" + pct(ll(22))),
    C("nul_raw_inside", in_pct=pct('{"id":23,"method":"thread/loaded/list"') + "%00" + pct(',"params":{}}\n')),
    C("nul_in_string", in_pct=pct('{"id":"a') + "%00" + pct('b","method":"thread/loaded/list","params":{}}\n')),
    C("nul_escaped_id", '{"id":"a\\u0000b","method":"thread/loaded/list","params":{}}\n'),
    C("deep_127", gen={"deep": 127}),
    C("deep_128", gen={"deep": 128}),
    C("deep_params_125", gen={"deep_params": 125}),
    C("deep_params_126", gen={"deep_params": 126}),
    # --- ids
    C("id_float", ll("1.0")),
    C("id_float_frac", ll("1.5")),
    C("id_exp", ll("1e2")),
    C("id_minus_zero_float", ll("-0.0")),
    C("id_minus_zero", ll("-0")),
    C("id_null", ll("null")),
    C("id_true", ll("true")),
    C("id_object", ll('{"a":1}')),
    C("id_array", ll("[1]")),
    C("id_i64_max", ll("9223372036854775807")),
    C("id_i64_min", ll("-9223372036854775808")),
    C("id_over_i64", ll("9223372036854775808")),
    C("id_under_i64", ll("-9223372036854775809")),
    C("id_u64_max", ll("18446744073709551615")),
    C("id_negative", ll("-7")),
    C("id_empty_string", ll('""')),
    C("id_unicode_string", ll('"\\u00e9t\\u00e9 \\ud83d\\ude00"')),
    C("duplicate_ids", ll(30) + ll(30)),
    C("jsonrpc_member", ll(31, ',"jsonrpc":"2.0"')),
    C("jsonrpc_wrong_version", ll(32, ',"jsonrpc":"1.0"')),
    # --- answers to requests never sent, notifications
    C("answer_never_sent", '{"id":0,"result":{"decision":"accept"}}\n'),
    C("error_answer_never_sent", '{"id":5,"error":{"code":-1,"message":"no"}}\n'),
    C("answer_string_id", '{"id":"x","result":{}}\n'),
    C("unknown_notification", '{"method":"no/such/notification","params":{}}\n'),
    C("initialized_array_params", '{"method":"initialized","params":[1,2]}\n'),
    C("initialized_string_params", '{"method":"initialized","params":"x"}\n'),
    C("initialize_twice", req(33, "initialize", '{"clientInfo":{"name":"again","version":"2"}}')),
    # --- methods and params
    C("unknown_method", req(34, "no/such", "{}")),
    C("params_missing", req(35, "thread/start", None)),
    C("params_null_list", req(36, "thread/loaded/list", "null")),
    C("params_array", req(37, "thread/start", "[]")),
    C("params_string", req(38, "thread/start", '"x"')),
    C("turn_start_params_array", turn(40, "[]")),
    C("turn_start_missing_thread", turn(41, "{" + TI + "}")),
    C("turn_start_missing_input", turn(42, "{" + TT + "}")),
    C("turn_start_thread_int", turn(43, '{"threadId":42,' + TI + "}")),
    C("turn_start_thread_null", turn(44, '{"threadId":null,' + TI + "}")),
    C("turn_start_input_string", turn(45, "{" + TT + ',"input":"hi"}')),
    C("turn_start_input_object", turn(46, "{" + TT + ',"input":{"type":"text","text":"hi"}}')),
    C("turn_start_input_bad_type", turn(47, "{" + TT + ',"input":[{"type":"nope"}]}')),
    C("turn_start_input_no_type", turn(48, "{" + TT + ',"input":[{"text":"hi"}]}')),
    C("turn_start_input_no_text", turn(49, "{" + TT + ',"input":[{"type":"text"}]}')),
    C("turn_start_input_text_int", turn(50, "{" + TT + ',"input":[{"type":"text","text":5}]}')),
    C("turn_start_cwd_int", turn(51, "{" + TT + "," + TI + ',"cwd":5}')),
    C("turn_start_approval_bad", turn(52, "{" + TT + "," + TI + ',"approvalPolicy":"sometimes"}')),
    C("turn_start_approval_int", turn(53, "{" + TT + "," + TI + ',"approvalPolicy":5}')),
    C("turn_start_sandbox_bad", turn(54, "{" + TT + "," + TI + ',"sandboxPolicy":"x"}')),
    C("turn_start_model_int", turn(55, "{" + TT + "," + TI + ',"model":5}')),
    C("turn_start_effort_bad", turn(56, "{" + TT + "," + TI + ',"effort":"ultra"}')),
    C("turn_start_summary_int", turn(57, "{" + TT + "," + TI + ',"summary":5}')),
    C("turn_start_unknown_thread", turn(58, "{" + TT + "," + TI + "}")),
    C("turn_start_invalid_thread_id", turn(59, '{"threadId":"nope",' + TI + "}")),
    C("turn_interrupt_unknown_thread", req(60, "turn/interrupt", '{' + TT + ',"turnId":"t"}')),
    C("thread_resume_unknown", req(61, "thread/resume", '{' + TT + '}'), later="thread/resume"),
    C("thread_read_unknown", req(62, "thread/read", '{' + TT + '}'), later="thread/read"),
    C("thread_read_invalid", req(83, "thread/read", '{"threadId":"nope"}')),
    C("thread_archive_invalid", req(63, "thread/archive", '{"threadId":"nope"}')),
    C("thread_unarchive_invalid", req(64, "thread/unarchive", '{"threadId":"nope"}')),
    C("thread_name_set_invalid", req(65, "thread/name/set", '{"threadId":"nope","name":"x"}')),
    C("turn_interrupt_invalid_thread", req(66, "turn/interrupt", '{"threadId":"nope","turnId":"x"}')),
    C("thread_id_short", turn(67, '{"threadId":"019df000",' + TI + "}")),
    C("thread_id_groups", turn(68, '{"threadId":"0-1-2-3-4",' + TI + "}")),
    C("thread_id_braced", turn(69, '{"threadId":"{019DF000-0000-7000-8000-000000000000}",' + TI + "}")),
    C("thread_id_urn_bad_char", turn(70, '{"threadId":"urn:uuid:019df000-0000-7000-8000-00000000000g",' + TI + "}")),
    C("thread_id_last_group_long", turn(71, '{"threadId":"019df000-0000-7000-8000-0000000000000",' + TI + "}")),
    C("thread_id_simple_33", turn(72, '{"threadId":"019df0000000700080000000000000000",' + TI + "}")),
    C("thread_id_multibyte", turn(73, '{"threadId":"\u00e9",' + TI + "}")),
    C("turn_start_input_int_element", turn(74, "{" + TT + ',"input":[5]}')),
    C("turn_start_summary_bad", turn(75, "{" + TT + "," + TI + ',"summary":"bogus"}')),
    C("turn_start_sandbox_bad_type", turn(76, "{" + TT + "," + TI + ',"sandboxPolicy":{"type":"bogus"}}')),
    C("turn_start_approval_map_bad", turn(77, "{" + TT + "," + TI + ',"approvalPolicy":{"x":1}}')),
    C("turn_start_params_short_array", turn(78, '["x"]')),
    C("thread_list_params_array", req(79, "thread/list", "[]")),
    C("thread_archive_params_array", req(82, "thread/archive", "[]")),
    # --- size and volume
    C("big_line_100mb", gen={"big_mb": 100}),
    C("flood_10000", gen={"flood": 10000}),
    # --- invalid UTF-8 (reading stops)
    C("utf8_lead_ff", in_pct="%FF" + pct(ll(70)), ends=True),
    C("utf8_in_string", in_pct=pct('{"id":"a') + "%E9" + pct('","method":"thread/loaded/list","params":{}}\n'), ends=True),
    C("utf8_in_key", in_pct=pct('{"i') + "%C3%28" + pct('d":71,"method":"thread/loaded/list","params":{}}\n'), ends=True),
    C("utf8_truncated_at_end", in_pct=pct(ll(72).strip()) + "%E2%82\n", ends=True),
    C("utf8_lone_continuation", in_pct="%80" + pct(ll(73)), ends=True),
    C("utf8_overlong", in_pct=pct('{"id":"') + "%C0%AF" + pct('","method":"thread/loaded/list","params":{}}\n'), ends=True),
    C("utf8_surrogate", in_pct=pct('{"id":"') + "%ED%A0%80" + pct('","method":"thread/loaded/list","params":{}}\n'), ends=True),
    C("utf8_above_10ffff", in_pct=pct('{"id":"') + "%F4%90%80%80" + pct('","method":"thread/loaded/list","params":{}}\n'), ends=True),
    C("utf8_in_garbage_line", in_pct="not json %FE\n", ends=True),
    # --- stdin closed
    C("eof_mid_line_fragment", '{"id":80,"method":"thread/lo', eof=True),
    C("eof_before_initialize", "", handshake=False, eof=True),
    C("request_before_initialize", ll(81), handshake=False),
]


def case_bytes(c):
    if "in" in c:
        return c["in"].encode("utf-8")
    if "in_pct" in c:
        s, out, i = c["in_pct"], bytearray(), 0
        while i < len(s):
            if s[i] == "%":
                out.append(int(s[i + 1:i + 3], 16)); i += 3
            else:
                out += s[i].encode("utf-8"); i += 1
        return bytes(out)
    g = c["gen"]
    if "deep" in g:
        n = g["deep"]
        return ("[" * n + "]" * n + "\n").encode()
    if "deep_params" in g:
        n = g["deep_params"]
        return ('{"id":90,"method":"thread/loaded/list","params":{"x":' + "[" * n + "]" * n + "}}\n").encode()
    if "big_mb" in g:
        return b'{"id":91,"method":"no/such","params":{"pad":"' + b"a" * (g["big_mb"] << 20) + b'"}}\n'
    if "flood" in g:
        return "".join(ll(100000 + i) for i in range(g["flood"])).encode()
    raise ValueError(c)


ANSI = re.compile(r"\x1b\[[0-9;]*m")
def norm_err(line):
    line = ANSI.sub("", line)
    return re.sub(r"^\d{4}-\d\d-\d\dT[0-9:.]+Z ", "", line)


def run(binary, c, timeout=30.0):
    home = tempfile.mkdtemp(prefix="hostile")
    env = dict(os.environ, CODEX_HOME=home, TERM="xterm")
    p = subprocess.Popen([binary, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, cwd=home)
    out, err = b"", b""
    def pump(until, limit):
        nonlocal out, err
        end = time.time() + limit
        while time.time() < end and not until():
            r, _, _ = select.select([p.stdout, p.stderr], [], [], 0.05)
            for f in r:
                d = os.read(f.fileno(), 1 << 20)
                if f is p.stdout: out += d
                else: err += d
    if c.get("handshake", True):
        p.stdin.write(INIT.encode() + b'{"method":"initialized"}\n'); p.stdin.flush()
        pump(lambda: b'"id":"init"' in out, 10)
        pump(lambda: False, 0.3)
    mark_out, mark_err = len(out), len(err)
    data = case_bytes(c)
    if "flood" in c.get("gen", {}):
        os.set_blocking(p.stdin.fileno(), False)
        off = 0
        while off < len(data):
            try:
                off += os.write(p.stdin.fileno(), data[off:off + 65536])
            except BlockingIOError:
                time.sleep(0.01)
        os.set_blocking(p.stdin.fileno(), True)
    else:
        p.stdin.write(data); p.stdin.flush()
    if c.get("eof"):
        p.stdin.close()
        pump(lambda: p.poll() is not None, 5)
    else:
        p.stdin.write(FOLLOW.encode()); p.stdin.flush()
        pump(lambda: b'"id":"after"' in out or p.poll() is not None, 20 if not c.get("ends") else 1.5)
        pump(lambda: False, 0.3)
        p.stdin.close()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill(); p.wait()
    pump(lambda: False, 0.2)
    outl = [l for l in out[mark_out:].decode("utf-8", "replace").split("\n") if l]
    outl = [l for l in outl if '"method":"configWarning"' not in l and "remoteControl/status/changed" not in l]
    errl = [norm_err(l) for l in err[mark_err:].decode("utf-8", "replace").split("\n") if l]
    errl = [l for l in errl if "bubblewrap" not in l]
    return outl, errl, p.returncode


def main():
    mode, binary = sys.argv[1], sys.argv[2]
    names = set(sys.argv[3:])
    old = {}
    if os.path.exists(CASES):
        for line in open(CASES):
            c = json.loads(line); old[c["name"]] = c
    if mode == "show":
        for c in CASE_LIST:
            if c["name"] in names:
                o, e, rc = run(binary, c)
                print(json.dumps({"out": o[:20], "n_out": len(o), "err": e[:20], "rc": rc}, indent=1, ensure_ascii=False)[:20000])
        return
    res = []
    for c in CASE_LIST:
        c = dict(c)
        if names and c["name"] not in names and c["name"] in old:
            res.append(old[c["name"]]); continue
        if "flood" in c.get("gen", {}):
            res.append(old.get(c["name"], c)); continue
        o, e, rc = run(binary, c)
        if c.get("ends") or c.get("eof"):
            c["exit"] = rc
        elif not any('"id":"after"' in x for x in o):
            print("no follow-up answer:", c["name"], file=sys.stderr)
        o = [x for x in o if '"id":"after"' not in x and '"id":"init"' not in x]
        # the real binary's note about /tmp (environment, printed at start-up)
        e = [x for x in e if not x.startswith("WARNING: proceeding")]
        if "big_mb" in c.get("gen", {}):
            o = [x if len(x) < 4000 else x[:200] + "..." for x in o]
        c.update(out=o, err=e, real=True)
        print(c["name"], json.dumps(o)[:300], json.dumps(e)[:300], file=sys.stderr)
        res.append(c)
    with open(CASES, "w") as f:
        for c in res:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
