"""MONITOR: the line every command shows (timestamp, db, client address or lua or
unix socket, arguments quoted as sdscatrepr), what is not shown (admin and
skip-monitor commands, redacted secrets), scripts, MULTI/EXEC, blocked commands,
several monitors, and the monitor client's own state (CLIENT LIST flags=O, RESET,
what it may still run)."""

import os
import re
import socket
import time

import pytest

from conftest import RawConnection, RespError, encode_command, timeout, wait_until

LINE = re.compile(rb"^(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$")


def raw(server, sock_timeout=None):
    return RawConnection(server.host, server.port, sock_timeout=sock_timeout)


def monitor(server):
    m = raw(server)
    assert m.call("MONITOR") == b"OK"
    return m


def next_line(m):
    """One monitor line, split: (seconds float, db, origin, args part)."""
    line = m.read()
    assert isinstance(line, bytes), line
    match = LINE.match(line)
    assert match, line
    sec, usec, db, origin, args = match.groups()
    return float(sec + b"." + usec), int(db), origin.decode(), args


def local_addr(conn):
    host, port = conn.sock.getsockname()[:2]
    return f"{host}:{port}"


@pytest.fixture
def conns(server):
    opened = []

    def make():
        c = raw(server)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def test_line_format_and_address(server, r, conns):
    m = monitor(server)
    c = conns()
    before = time.time()
    assert c.call("set", "foo", "bar") == b"OK"
    assert c.call("GET", "foo") == b"bar"
    ts, db, origin, args = next_line(m)
    assert db == 0
    assert origin == local_addr(c)
    assert args == b'"set" "foo" "bar"'
    assert before - 2 <= ts <= time.time() + 2
    # Arguments appear as the client typed them.
    assert next_line(m)[3] == b'"GET" "foo"'
    m.close()


def test_quoting(server, r, conns):
    m = monitor(server)
    c = conns()
    value = b'a\nb\rc\td\x07e\x08f"g\\h\x00i\xff\x7f\x1bj k\xc3\xa9'
    assert c.call("set", "k", value) == b"OK"
    assert c.call("set", "", "x y") == b"OK"
    assert next_line(m)[3] == (b'"set" "k" "a\\nb\\rc\\td\\ae\\bf\\"g\\\\h\\x00i\\xff\\x7f\\x1bj '
                               b'k\\xc3\\xa9"')
    assert next_line(m)[3] == b'"set" "" "x y"'
    m.close()


def test_db_index(server, r, conns):
    m = monitor(server)
    c = conns()
    assert c.call("select", "3") == b"OK"
    assert c.call("set", "a", "1") == b"OK"
    assert c.call("select", "0") == b"OK"
    # SELECT is shown after it ran, with the database it selected.
    assert next_line(m)[1:] == (3, local_addr(c), b'"select" "3"')
    assert next_line(m)[1:] == (3, local_addr(c), b'"set" "a" "1"')
    assert next_line(m)[1:] == (0, local_addr(c), b'"select" "0"')
    m.close()


def test_commands_from_many_clients(server, r, conns):
    """With --threads 4 the clients land on other loops than the monitor's."""
    m = monitor(server)
    clients = [conns() for _ in range(12)]
    expected = set()
    for i, c in enumerate(clients):
        assert c.call("set", f"key{i}", f"v{i}") == b"OK"
        expected.add((local_addr(c), f'"set" "key{i}" "v{i}"'.encode()))
    seen = set()
    for _ in clients:
        _, _, origin, args = next_line(m)
        seen.add((origin, args))
    assert seen == expected
    m.close()


def test_eval_and_lua_commands(server, r, conns):
    m = monitor(server)
    c = conns()
    assert c.call("eval", "redis.call('set',KEYS[1],ARGV[1]) return redis.call('get',KEYS[1])",
                  "1", "foo", "bar") == b"bar"
    _, db, origin, args = next_line(m)
    assert origin == local_addr(c)
    assert args == (b'"eval" "redis.call(\'set\',KEYS[1],ARGV[1]) return '
                    b'redis.call(\'get\',KEYS[1])" "1" "foo" "bar"')
    assert next_line(m)[1:] == (0, "lua", b'"set" "foo" "bar"')
    assert next_line(m)[1:] == (0, "lua", b'"get" "foo"')
    # The script's own SELECT shows in its commands' lines.
    assert c.call("eval", "redis.call('select','2') return redis.call('ping')", "0") == b"PONG"
    assert next_line(m)[3].startswith(b'"eval"')
    assert next_line(m)[1:] == (2, "lua", b'"select" "2"')
    assert next_line(m)[1:] == (2, "lua", b'"ping"')
    # EVALSHA too; an unknown sha is still shown (EVALSHA shows itself first).
    sha = c.call("script", "load", "return redis.call('incr', KEYS[1])")
    assert c.call("evalsha", sha, "1", "n") == 1
    assert next_line(m)[3] == b'"script" "load" "return redis.call(\'incr\', KEYS[1])"'
    assert next_line(m)[3] == b'"evalsha" "' + sha + b'" "1" "n"'
    assert next_line(m)[1:] == (0, "lua", b'"incr" "n"')
    assert isinstance(c.call("evalsha", "0" * 40, "0"), RespError)
    assert next_line(m)[3] == b'"evalsha" "' + b"0" * 40 + b'" "0"'
    assert c.call("ping") == b"PONG"
    assert next_line(m)[3] == b'"ping"'
    m.close()


def test_fcall(server, r, conns):
    c = conns()
    code = ("#!lua name=monlib\n"
            "redis.register_function('montest', function(keys) "
            "return redis.call('set', keys[1], 'bar') end)")
    assert c.call("function", "load", "replace", code) == b"monlib"
    m = monitor(server)
    assert c.call("fcall", "montest", "1", "foo") == b"OK"
    assert next_line(m)[3] == b'"fcall" "montest" "1" "foo"'
    assert next_line(m)[1:] == (0, "lua", b'"set" "foo" "bar"')
    m.close()
    assert c.call("function", "delete", "monlib") == b"OK"


def test_multi_exec(server, r, conns):
    m = monitor(server)
    c = conns()
    assert c.call("multi") == b"OK"
    assert c.call("set", "foo", "bar") == b"QUEUED"
    assert c.call("get", "foo") == b"QUEUED"
    assert c.call("exec") == [b"OK", b"bar"]
    assert next_line(m)[3] == b'"multi"'
    assert next_line(m)[3] == b'"set" "foo" "bar"'
    assert next_line(m)[3] == b'"get" "foo"'
    assert next_line(m)[3] == b'"exec"'
    # A queueing error: the EXEC that aborts still closes what the monitor saw.
    assert c.call("multi") == b"OK"
    assert isinstance(c.call("syntax", "error"), RespError)
    assert isinstance(c.call("exec"), RespError)
    assert next_line(m)[3] == b'"multi"'
    assert next_line(m)[3] == b'"exec"'
    # Rejected EXEC (wrong arity) aborts too and is shown with its arguments.
    assert c.call("multi") == b"OK"
    assert isinstance(c.call("exec", "x"), RespError)
    assert next_line(m)[3] == b'"multi"'
    assert next_line(m)[3] == b'"exec" "x"'
    # DISCARD.
    assert c.call("multi") == b"OK"
    assert c.call("set", "a", "b") == b"QUEUED"
    assert c.call("discard") == b"OK"
    assert next_line(m)[3] == b'"multi"'
    assert next_line(m)[3] == b'"discard"'
    # A script in a transaction: EVAL, then its commands, then EXEC.
    assert c.call("multi") == b"OK"
    assert c.call("eval", "return redis.call('get', 'foo')", "0") == b"QUEUED"
    assert c.call("exec") == [b"bar"]
    assert next_line(m)[3] == b'"multi"'
    assert next_line(m)[3] == b'"eval" "return redis.call(\'get\', \'foo\')" "0"'
    assert next_line(m)[1:] == (0, "lua", b'"get" "foo"')
    assert next_line(m)[3] == b'"exec"'
    m.close()


def test_auth_and_hello_redacted(server, r, conns):
    m = monitor(server)
    c = conns()
    assert isinstance(c.call("auth", "not-real"), RespError)
    assert isinstance(c.call("auth", "not-real", "not-a-password"), RespError)
    assert isinstance(c.call("auth", "a", "b", "c"), RespError)
    assert isinstance(c.call("hello", "3", "AUTH", "not-real", "not-a-password"), RespError)
    assert isinstance(c.call("hello", "2", "AUTH", "u", "p", "SETNAME", "nm"), RespError)
    assert isinstance(c.call("hello", "9", "AUTH", "u", "p"), RespError)
    assert next_line(m)[3] == b'"auth" "(redacted)"'
    assert next_line(m)[3] == b'"auth" "(redacted)" "(redacted)"'
    # A syntax error comes before AUTH redacts anything.
    assert next_line(m)[3] == b'"auth" "a" "b" "c"'
    assert next_line(m)[3] == b'"hello" "3" "AUTH" "(redacted)" "(redacted)"'
    assert next_line(m)[3] == b'"hello" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "nm"'
    # An unsupported protocol version is refused before the options are read.
    assert next_line(m)[3] == b'"hello" "9" "AUTH" "u" "p"'
    m.close()


def test_admin_and_skip_monitor_commands_not_shown(server, r, conns):
    m = monitor(server)
    c = conns()
    c.call("config", "get", "maxmemory")
    c.call("client", "list")
    c.call("client", "kill", "id", "999999")
    c.call("acl", "users")
    c.call("slowlog", "get")
    c.call("debug", "sleep", "0")
    c.call("info", "server")
    c.call("client", "id")
    c.call("ping")
    # Commands refused before they run are not shown either.
    c.call("nosuchcommand", "x")
    c.call("get")
    c.call("echo", "done")
    assert next_line(m)[3] == b'"info" "server"'
    assert next_line(m)[3] == b'"client" "id"'
    assert next_line(m)[3] == b'"ping"'
    assert next_line(m)[3] == b'"echo" "done"'
    m.close()


def test_two_monitors(server, r, conns):
    m1 = monitor(server)
    m2 = monitor(server)
    c = conns()
    for i in range(5):
        assert c.call("set", "k", str(i)) == b"OK"
    for m in (m1, m2):
        for i in range(5):
            assert next_line(m)[3] == f'"set" "k" "{i}"'.encode()
    m1.close()
    assert c.call("set", "k", "after") == b"OK"
    assert next_line(m2)[3] == b'"set" "k" "after"'
    m2.close()


def test_monitor_client_state(server, r, conns):
    m = monitor(server)
    c = conns()
    mine = [line for line in c.call("client", "list").decode().splitlines()
            if f"addr={local_addr(m)} " in line]
    assert len(mine) == 1 and " flags=O " in mine[0], mine
    # A monitor sees its own commands; it may not touch the keyspace.
    assert m.call("ping") == b"PONG"
    assert next_line(m)[1:] == (0, local_addr(m), b'"ping"')
    assert m.call("get", "foo") == RespError("ERR Replica can't interact with the keyspace")
    assert m.call("set", "foo", "1") == RespError("ERR Replica can't interact with the keyspace")
    # MONITOR again is ignored without a reply.
    m.send_command("monitor")
    assert m.call("echo", "x") == b"x"
    assert next_line(m)[3] == b'"echo" "x"'
    # RESET ends monitor mode.
    assert m.call("reset") == b"RESET"
    assert c.call("set", "foo", "2") == b"OK"
    assert m.call("get", "foo") == b"2"
    mine = [line for line in c.call("client", "list").decode().splitlines()
            if f"addr={local_addr(m)} " in line]
    assert " flags=N " in mine[0], mine
    m.close()


def test_monitor_in_multi_refused(server, r, conns):
    c = conns()
    assert c.call("multi") == b"OK"
    assert c.call("monitor") == b"QUEUED"
    assert c.call("exec") == [RespError("ERR MONITOR isn't allowed for DENY BLOCKING client")]
    # The client is not a monitor: it still gets its replies, and no monitor lines.
    assert c.call("set", "x", "1") == b"OK"
    assert c.call("ping") == b"PONG"
    err = c.call("eval", "return redis.call('monitor')", "0")
    assert isinstance(err, RespError) and "not allowed from script" in str(err), err


def test_disconnected_monitor_leaves_nothing(server, r, conns):
    for _ in range(3):
        m = monitor(server)
        m.close()
    c = conns()

    def monitors_gone():
        return " flags=O " not in c.call("client", "list").decode()

    wait_until(monitors_gone, msg="monitors to go")
    for i in range(50):
        assert c.call("set", "k", str(i)) == b"OK"
    m = monitor(server)
    assert c.call("ping") == b"PONG"
    assert next_line(m)[3] == b'"ping"'
    m.close()


def test_blocked_command_shown_once(server, r, conns):
    m = monitor(server)
    b = conns()
    c = conns()
    b.send_command("blpop", "mylist", "0")
    wait_until(lambda: b"blocked_clients:1" in c.call("info", "clients"), msg="blocked")
    assert c.call("lpush", "mylist", "1") == 1
    assert b.read() == [b"mylist", b"1"]
    assert c.call("lpush", "mylist", "2") == 1
    lines = []
    while True:
        args = next_line(m)[3]
        if args.startswith(b'"info"'):
            continue
        lines.append(args)
        if args == b'"lpush" "mylist" "2"':
            break
    assert lines == [b'"blpop" "mylist" "0"', b'"lpush" "mylist" "1"', b'"lpush" "mylist" "2"']
    m.close()


def test_unix_socket_origin(server_factory, tmp_path):
    path = str(tmp_path / "mon.sock")
    srv = server_factory("--unixsocket", path)
    m = RawConnection(srv.host, srv.port)
    assert m.call("MONITOR") == b"OK"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout(10))
    s.connect(path)
    s.sendall(encode_command("ping"))
    assert s.recv(100) == b"+PONG\r\n"
    _, db, origin, args = next_line(m)
    assert (db, origin, args) == (0, f"unix:{path}", b'"ping"')
    s.close()
    m.close()
