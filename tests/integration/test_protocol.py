"""The RESP wire protocol: inline commands, deep pipelines, requests split at
every byte, big bulks against proto-max-bulk-len, protocol errors (exact text,
then the connection is closed), client-query-buffer-limit, and RESP3 reply
types after HELLO 3."""

import time

import pytest

from conftest import RespError, encode_command

MB = 1024 * 1024


def assert_protocol_error(conn, payload, message):
    """Send payload; the server must answer exactly `-message` and close."""
    try:
        conn.send(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = conn.read_until_closed()
    assert data == b"-" + message.encode() + b"\r\n"


def server_still_fine(raw):
    other = raw()
    assert other.call("PING") == b"PONG"
    return other


# ------------------------------------------------------------ inline commands


def test_inline_ping(r, c):
    c.send(b"PING\r\n")
    assert c.read_raw() == b"+PONG\r\n"
    c.send(b"PING\n")  # a bare LF ends an inline command too
    assert c.read_raw() == b"+PONG\r\n"


def test_inline_set_get(r, c):
    c.send(b"SET greeting hello\r\nGET greeting\r\n")
    assert c.read() == b"OK"
    assert c.read() == b"hello"


def test_inline_quoting(r, c):
    c.send(b'SET k "hello world"\r\n')
    assert c.read() == b"OK"
    assert c.call("GET", "k") == b"hello world"
    c.send(b"SET k2 'single quoted'\r\n")
    assert c.read() == b"OK"
    assert c.call("GET", "k2") == b"single quoted"
    c.send(b'SET k3 "\\x41\\x00\\n\\t"\r\n')
    assert c.read() == b"OK"
    assert c.call("GET", "k3") == b"A\x00\n\t"


def test_inline_extra_whitespace(r, c):
    c.send(b"   SET    spaced     value   \r\n")
    assert c.read() == b"OK"
    assert c.call("GET", "spaced") == b"value"


def test_inline_empty_lines_are_ignored(r, c):
    c.send(b"\r\n\r\n\n   \r\nPING\r\n")
    assert c.read_raw() == b"+PONG\r\n"


def test_inline_unbalanced_quotes(r, c, raw):
    c.call("SET", "survivor", "1")
    assert_protocol_error(c, b'SET k "unterminated\r\n', "ERR Protocol error: unbalanced quotes in request")
    assert server_still_fine(raw).call("GET", "survivor") == b"1"


def test_inline_too_big(r, c, raw):
    try:
        c.send(b"SET k " + b"x" * (70 * 1024))  # no newline
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = c.read_until_closed()
    assert data == b"-ERR Protocol error: too big inline request\r\n"
    server_still_fine(raw)


def test_inline_nul_hides_the_newline(r, c, raw):
    """Redis finds an inline request's end with strchr, which stops at a NUL: the newline after
    it is never seen, nothing runs, and the request grows until it is too big."""
    c.sock.settimeout(0.3)
    c.send(b"PING\x00x\r\nPING\r\n")
    with pytest.raises(OSError):  # socket.timeout: no reply to either PING
        c.sock.recv(100)
    c.sock.settimeout(15)
    try:
        c.send(b"A" * (70 * 1024))
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert c.read_until_closed() == b"-ERR Protocol error: too big inline request\r\n"
    server_still_fine(raw)


def test_mixed_inline_and_resp(r, c):
    c.send(b"SET a 1\r\n" + encode_command("INCR", "a") + b"INCR a\r\n" + encode_command("GET", "a"))
    assert [c.read() for _ in range(4)] == [b"OK", 2, 3, b"3"]


# ------------------------------------------------------------ pipelines


def test_pipeline_depth_10000(r, c):
    payload = b"".join(encode_command("INCR", "counter") for _ in range(10000))
    c.send(payload)
    for i in range(1, 10001):
        assert c.read() == i
    assert c.call("GET", "counter") == b"10000"


def test_pipeline_mixed_replies_in_order(r, c):
    cmds = []
    expected = []
    for i in range(2000):
        cmds.append(encode_command("SET", f"k{i}", f"v{i}"))
        expected.append(b"OK")
        cmds.append(encode_command("GET", f"k{i}"))
        expected.append(f"v{i}".encode())
        cmds.append(encode_command("GET", f"missing{i}"))
        expected.append(None)
        cmds.append(encode_command("INCR", f"k{i}"))
        expected.append(RespError("ERR value is not an integer or out of range"))
    c.send(b"".join(cmds))
    got = [c.read() for _ in expected]
    assert got == expected


def test_pipeline_redis_py(r):
    pipe = r.pipeline(transaction=False)
    for i in range(10000):
        pipe.set(f"p{i}", i)
    assert all(pipe.execute())
    pipe = r.pipeline(transaction=False)
    for i in range(10000):
        pipe.get(f"p{i}")
    assert pipe.execute() == [str(i).encode() for i in range(10000)]


def test_pipeline_sent_but_replies_read_late(r, c):
    """The server keeps replies queued while the client is not reading."""
    value = b"v" * 1000
    c.call("SET", "k", value)
    c.send(b"".join(encode_command("GET", "k") for _ in range(5000)))  # ~5 MB of replies
    time.sleep(0.3)
    for _ in range(5000):
        assert c.read() == value


# ------------------------------------------------------------ split requests


PAYLOAD_CMDS = [
    ("SET", "split:key", "hello\r\nworld"),
    ("APPEND", "split:key", "!"),
    ("GET", "split:key"),
    ("MSET", "a", "", "b", "x" * 40),
    ("MGET", "a", "b", "nokey"),
]
PAYLOAD_REPLIES = [b"OK", 13, b"hello\r\nworld!", b"OK", [b"", b"x" * 40, None]]


def test_request_split_at_every_byte_position(r, raw):
    payload = b"".join(encode_command(*cmd) for cmd in PAYLOAD_CMDS) + b"PING\r\n"
    conn = raw()
    for i in range(1, len(payload)):
        conn.send(payload[:i])
        time.sleep(0.002)
        conn.send(payload[i:])
        assert [conn.read() for _ in PAYLOAD_REPLIES] == PAYLOAD_REPLIES, f"split at {i}"
        assert conn.read() == b"PONG"


def test_request_sent_one_byte_at_a_time(r, c):
    payload = b"".join(encode_command(*cmd) for cmd in PAYLOAD_CMDS)
    for i in range(len(payload)):
        c.send(payload[i:i + 1])
        if i % 16 == 0:
            time.sleep(0.001)
    assert [c.read() for _ in PAYLOAD_REPLIES] == PAYLOAD_REPLIES


def test_big_value_in_many_chunks(r, c):
    value = bytes(range(256)) * 4096  # 1 MiB
    payload = encode_command("SET", "big", value)
    for i in range(0, len(payload), 7919):
        c.send(payload[i:i + 7919])
    assert c.read() == b"OK"
    assert c.call("STRLEN", "big") == len(value)
    assert c.call("GET", "big") == value


# ------------------------------------------------------------ bulk limits


def test_bulk_at_proto_max_bulk_len(r, c, raw, set_config):
    set_config("proto-max-bulk-len", str(MB))
    value = b"z" * MB
    assert c.call("SET", "edge", value) == b"OK"
    assert c.call("STRLEN", "edge") == MB
    assert c.call("GET", "edge") == value
    # growing a string beyond the limit is refused
    assert c.error("APPEND", "edge", "x") == "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    assert c.error("SETRANGE", "edge", MB, "x") == "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    assert c.call("SETRANGE", "edge", MB - 1, "y") == MB
    # one byte more on the wire is a protocol error
    big = raw()
    assert_protocol_error(big, b"*3\r\n$3\r\nSET\r\n$4\r\nover\r\n$%d\r\n" % (MB + 1),
                          "ERR Protocol error: invalid bulk length")
    assert c.call("EXISTS", "over") == 0


def test_big_bulk_default_limit(r, c):
    value = b"q" * (8 * MB)
    assert c.call("SET", "big", value) == b"OK"
    assert c.call("STRLEN", "big") == len(value)
    assert c.call("GET", "big") == value


# ------------------------------------------------------------ protocol errors


@pytest.mark.parametrize(
    "payload,message",
    [
        (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
        (b"*3000000000\r\n", "ERR Protocol error: invalid multibulk length"),
        (b"*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"),
        (b"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"),
        (b"*1\r\n$99999999999999999999\r\n", "ERR Protocol error: invalid bulk length"),
        (b"*2\r\n$4\r\nECHO\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'"),
        (b"*1\r\n:5\r\n", "ERR Protocol error: expected '$', got ':'"),
    ],
    ids=["mbulk-nan", "mbulk-huge", "bulk-nan", "bulk-negative", "bulk-huge", "expected-dollar", "int-arg"],
)
def test_protocol_errors(r, c, raw, payload, message):
    c.call("SET", "survivor", "yes")
    assert_protocol_error(c, payload, message)
    assert server_still_fine(raw).call("GET", "survivor") == b"yes"


def test_too_big_mbulk_count_string(r, c, raw):
    assert_protocol_error(c, b"*" + b"1" * (70 * 1024), "ERR Protocol error: too big mbulk count string")
    server_still_fine(raw)


def test_too_big_bulk_count_string(r, c, raw):
    assert_protocol_error(c, b"*1\r\n$" + b"1" * (70 * 1024), "ERR Protocol error: too big bulk count string")
    server_still_fine(raw)


def test_commands_before_protocol_error_run_and_after_do_not(r, c, raw):
    c.send(encode_command("SET", "before", "1") + b"*1\r\n$x\r\n" + encode_command("SET", "after", "1"))
    data = c.read_until_closed()
    assert data == b"+OK\r\n-ERR Protocol error: invalid bulk length\r\n"
    other = server_still_fine(raw)
    assert other.call("EXISTS", "before") == 1
    assert other.call("EXISTS", "after") == 0


def test_empty_and_negative_multibulk_are_ignored(r, c):
    c.send(b"*0\r\n*-1\r\n*-10\r\nPING\r\n")
    assert c.read_raw() == b"+PONG\r\n"


def test_empty_command_name(r, c):
    assert c.error("") == "ERR unknown command '', with args beginning with: "


def test_unauthenticated_protocol_limits(server_factory, raw):
    srv = server_factory("--requirepass", "pw")
    c = raw(port=srv.port)
    assert_protocol_error(c, b"*11\r\n", "ERR Protocol error: unauthenticated multibulk length")
    c = raw(port=srv.port)
    assert_protocol_error(c, b"*2\r\n$4\r\nAUTH\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length")
    c = raw(port=srv.port)
    # within the limits the usual NOAUTH reply comes back
    assert c.call("ECHO", "x" * 16384) == RespError("NOAUTH Authentication required.")
    assert c.call("AUTH", "pw") == b"OK"
    assert c.call("ECHO", "x" * 16385) == b"x" * 16385
    c.send(b"*11\r\n" + b"".join(b"$1\r\nx\r\n" for _ in range(11)))
    assert c.read() == RespError("ERR unknown command 'x', with args beginning with: 'x' 'x' 'x' 'x' 'x' 'x' 'x' 'x' 'x' 'x' ")


# ------------------------------------------------------------ query buffer limit


def test_client_query_buffer_limit_closes_connection(r, c, raw, set_config):
    set_config("client-query-buffer-limit", str(MB))
    big = raw()
    try:
        big.send(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n" % (2 * MB) + b"x" * (2 * MB) + b"\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = big.read_until_closed(seconds=10)
    assert not data.startswith(b"+OK")
    assert c.call("EXISTS", "big") == 0
    assert c.call("PING") == b"PONG"


def test_client_query_buffer_limit_allows_values_below_it(r, c, set_config):
    set_config("client-query-buffer-limit", str(MB))
    value = b"y" * (900 * 1024)
    assert c.call("SET", "k", value) == b"OK"
    assert c.call("GET", "k") == value


def test_client_query_buffer_limit_allows_long_pipelines(r, c, set_config):
    """The limit bounds unparsed input, not the total of a pipeline."""
    set_config("client-query-buffer-limit", str(MB))
    value = b"p" * 100
    payload = b"".join(encode_command("SET", f"pipe:{i}", value) for i in range(30000))
    assert len(payload) > 3 * MB
    c.send(payload)
    for _ in range(30000):
        assert c.read() == b"OK"
    assert c.call("DBSIZE") == 30000


# ------------------------------------------------------------ RESP3


@pytest.fixture
def c3(c):
    """A raw connection switched to RESP3."""
    reply = c.call("HELLO", 3)
    assert isinstance(reply, dict)
    return c


def test_resp3_hello_is_a_map(r, c):
    data = c.call_raw("HELLO", 3)
    assert data.startswith(b"%7\r\n")
    assert b"$5\r\nproto\r\n:3\r\n" in data
    assert b"$4\r\nmode\r\n$10\r\nstandalone\r\n" in data
    assert b"$7\r\nmodules\r\n*0\r\n" in data


def test_resp3_nulls(r, c3):
    assert c3.call_raw("GET", "missing") == b"_\r\n"
    assert c3.call_raw("GETDEL", "missing") == b"_\r\n"
    assert c3.call_raw("GETEX", "missing") == b"_\r\n"
    assert c3.call_raw("SET", "k", "v", "NX", "GET") == b"_\r\n"
    assert c3.call_raw("SET", "k", "v", "NX") == b"_\r\n"
    assert c3.call_raw("MGET", "k", "missing") == b"*2\r\n$1\r\nv\r\n_\r\n"
    assert c3.call_raw("OBJECT", "ENCODING", "missing") == b"_\r\n"
    assert c3.call_raw("RANDOMKEY") == b"$1\r\nk\r\n"
    assert c3.call_raw("CLIENT", "GETNAME") == b"_\r\n"
    c3.call("FLUSHALL")
    assert c3.call_raw("RANDOMKEY") == b"_\r\n"


def test_resp3_exec_watch_failure_is_null(r, c3, raw):
    c3.call("WATCH", "w")
    raw().call("SET", "w", "1")
    c3.call("MULTI")
    c3.call("PING")
    assert c3.call_raw("EXEC") == b"_\r\n"


def test_resp3_bitfield_fail_is_null(r, c3):
    assert c3.call_raw("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", 0, 5) == b"*1\r\n_\r\n"


def test_resp3_config_get_is_map(r, c3):
    assert c3.call_raw("CONFIG", "GET", "appendonly") == b"%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"
    got = c3.call("CONFIG", "GET", "maxclients", "appendonly")
    assert isinstance(got, dict) and set(got) == {b"maxclients", b"appendonly"}
    assert c3.call_raw("CONFIG", "GET", "nosuchparameter") == b"%0\r\n"


def test_resp3_incrbyfloat_is_bulk_string(r, c3):
    # INCRBYFLOAT stays a bulk string in RESP3 (not a ',' double)
    assert c3.call_raw("INCRBYFLOAT", "f", "1.5") == b"$3\r\n1.5\r\n"
    assert c3.call_raw("INCRBYFLOAT", "f", "1") == b"$3\r\n2.5\r\n"


def test_resp3_simple_replies_unchanged(r, c3):
    assert c3.call_raw("PING") == b"+PONG\r\n"
    assert c3.call_raw("SET", "n", "1") == b"+OK\r\n"
    assert c3.call_raw("INCR", "n") == b":2\r\n"
    assert c3.call_raw("ECHO", "x") == b"$1\r\nx\r\n"
    assert c3.call_raw("TTL", "n") == b":-1\r\n"
    assert c3.call_raw("GETRANGE", "n", 0, -1) == b"$1\r\n2\r\n"
    assert c3.call_raw("INCR", "missing:x") == b":1\r\n"
    assert c3.call_raw("GET", "n", "extra") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert c3.call_raw("SCAN", 0, "MATCH", "n") == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nn\r\n"


def test_resp3_verbatim_info_and_client_info(r, c3):
    info = c3.call_raw("INFO", "server")
    assert info.startswith(b"=")
    length, _, rest = info[1:].partition(b"\r\n")
    assert rest.startswith(b"txt:# Server\r\n")
    assert len(rest) == int(length) + 2  # payload plus the final CRLF
    client_info = c3.call("CLIENT", "INFO")
    assert client_info.fmt == b"txt"
    assert b" resp=3 " in client_info
    listing = c3.call("CLIENT", "LIST")
    assert listing.fmt == b"txt"


def test_resp3_lcs_idx_is_map(r, c3):
    c3.call("MSET", "k1", "ohmytext", "k2", "mynewtext")
    data = c3.call_raw("LCS", "k1", "k2", "IDX", "MINMATCHLEN", 4)
    assert data == (b"%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
                    b"$3\r\nlen\r\n:6\r\n")


def test_resp3_command_info_flags_are_sets(r, c3):
    (info,) = c3.call("COMMAND", "INFO", "get")
    assert info[2] == {b"readonly", b"fast"}
    assert info[6] == {b"@read", b"@string", b"@fast"}
    docs = c3.call("COMMAND", "DOCS", "get")
    assert isinstance(docs, dict) and isinstance(docs[b"get"], dict)
    assert docs[b"get"][b"group"] == b"string"


def test_resp3_hello_2_switches_back(r, c3):
    assert c3.call_raw("GET", "missing") == b"_\r\n"
    reply = c3.call("HELLO", 2)
    assert isinstance(reply, list)
    assert c3.call_raw("GET", "missing") == b"$-1\r\n"
    assert c3.call_raw("CONFIG", "GET", "appendonly") == b"*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"


def test_resp2_null_encodings(r, c):
    assert c.call_raw("GET", "missing") == b"$-1\r\n"
    assert c.call_raw("MGET", "missing") == b"*1\r\n$-1\r\n"
    c.call("WATCH", "w")
    c.call("SET", "w", "1")
    c.call("MULTI")
    assert c.call_raw("EXEC") == b"*-1\r\n"
    assert c.call_raw("OBJECT", "ENCODING", "missing") == b"$-1\r\n"
    assert c.call_raw("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", 0, 5) == b"*1\r\n$-1\r\n"


# ------------------------------------------------------------ redis-cli


def test_redis_cli_basic(r, cli):
    assert cli("SET", "cli:k", "hello world").stdout == "OK\n"
    assert cli("GET", "cli:k").stdout == "hello world\n"
    assert cli("--no-raw", "GET", "cli:missing").stdout == "(nil)\n"
    assert cli("--no-raw", "INCR", "cli:n").stdout == "(integer) 1\n"
    out = cli("--no-raw", "NOSUCHCMD", "a")
    assert out.stdout == "(error) ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' \n"


def test_redis_cli_commands_from_stdin(r, cli):
    out = cli(input="SET x 5\nINCR x\nAPPEND x 0\nGET x\n")
    assert out.returncode == 0
    assert out.stdout.split("\n")[:4] == ["OK", "6", "2", "60"]


def test_redis_cli_pipe_mass_insert(r, cli):
    n = 20000
    data = "".join(f"SET mass:{i} {i}\r\n" for i in range(n))
    out = cli("--pipe", input=data)
    assert out.returncode == 0, out.stderr
    assert f"errors: 0, replies: {n}" in out.stdout + out.stderr
    assert r.dbsize() == n
    assert r.get("mass:12345") == b"12345"


def test_redis_cli_resp3(r, cli):
    out = cli("-3", "--no-raw", "CONFIG", "GET", "appendonly")
    assert out.stdout == '1# "appendonly" => "no"\n'
    assert cli("-3", "--no-raw", "GET", "missing").stdout == "(nil)\n"
    r.set("k", "v")
    assert cli("-3", "GET", "k").stdout == "v\n"
