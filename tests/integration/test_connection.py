"""Connection commands: PING ECHO QUIT RESET AUTH (requirepass) HELLO and
CLIENT ID GETNAME SETNAME LIST INFO KILL PAUSE UNPAUSE REPLY NO-EVICT NO-TOUCH
SETINFO; the maxclients limit."""

import re
import socket
import time

import pytest
import redis

from conftest import RawConnection, RespError, encode_command, timeout, wait_until

NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
NOAUTH_HELLO = (
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
    "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
    "select the RESP protocol version at the same time")
BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters."
SYNTAX = "ERR syntax error"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def parse_client_line(line):
    """'id=1 addr=... name= ...' -> dict of str."""
    if isinstance(line, bytes):
        line = line.decode()
    fields = {}
    for part in line.strip().split(" "):
        k, _, v = part.partition("=")
        fields[k] = v
    return fields


def client_list(conn, *args):
    out = conn.call("CLIENT", "LIST", *args)
    assert isinstance(out, bytes), out
    text = out.decode()
    assert text == "" or text.endswith("\n")
    return [parse_client_line(line) for line in text.split("\n") if line]


def hello_map(reply):
    """HELLO reply (RESP2 flat list or RESP3 dict) -> dict."""
    if isinstance(reply, dict):
        return reply
    assert isinstance(reply, list) and len(reply) % 2 == 0, reply
    return dict(zip(reply[::2], reply[1::2]))


@pytest.fixture
def auth_server(server_factory):
    return server_factory("--requirepass", "s3cret")


# ------------------------------------------------------------ PING ECHO


def test_ping(r, c):
    assert c.call("PING") == b"PONG"
    assert c.call_raw("PING") == b"+PONG\r\n"
    assert c.call("PING", "hello world") == b"hello world"
    assert c.call_raw("PING", "x") == b"$1\r\nx\r\n"
    assert c.error("PING", "a", "b") == arity("ping")
    assert r.ping() is True


def test_echo(r, c):
    assert c.call("ECHO", "hi") == b"hi"
    assert c.call("ECHO", "") == b""
    payload = bytes(range(256)) * 100
    assert c.call("ECHO", payload) == payload
    assert c.error("ECHO") == arity("echo")
    assert c.error("ECHO", "a", "b") == arity("echo")


def test_commands_are_case_insensitive(r, c):
    assert c.call("ping") == b"PONG"
    assert c.call("PiNg") == b"PONG"
    assert c.call("echo", "X") == b"X"


# ------------------------------------------------------------ QUIT RESET


def test_quit(r, c):
    c.call("SET", "k", "v")
    assert c.call("QUIT") == b"OK"
    assert c.read_until_closed() == b""


def test_quit_discards_pipelined_commands_after_it(r, c, raw):
    c.send(encode_command("SET", "a", "1") + encode_command("QUIT") + encode_command("SET", "b", "2"))
    assert c.read_until_closed() == b"+OK\r\n+OK\r\n"
    other = raw()
    assert other.call("GET", "a") == b"1"
    assert other.call("EXISTS", "b") == 0


def test_reset_clears_connection_state(r, raw):
    c = raw()
    other = raw()
    c.call("SET", "x", "1")
    c.call("WATCH", "x")
    c.call("SELECT", 3)
    c.call("CLIENT", "SETNAME", "before-reset")
    c.call("CLIENT", "SETINFO", "LIB-NAME", "mylib")
    c.call("CLIENT", "NO-EVICT", "ON")
    c.call("CLIENT", "NO-TOUCH", "ON")
    c.call("HELLO", 3)
    c.call("MULTI")
    c.call("SET", "y", "queued")
    assert c.call_raw("RESET") == b"+RESET\r\n"
    # transaction discarded, db 0 selected, RESP2 again, name cleared
    assert c.call("GET", "y") is None
    assert c.call_raw("GET", "nokey") == b"$-1\r\n"
    assert c.call("GET", "x") == b"1"
    assert c.call("CLIENT", "GETNAME") is None
    info = parse_client_line(c.call("CLIENT", "INFO"))
    assert info["db"] == "0"
    assert info["resp"] == "2"
    assert "e" not in info["flags"] and "T" not in info["flags"]
    assert info["lib-name"] == "mylib"  # library info survives RESET
    # the WATCH is gone too
    other.call("SET", "x", "2")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == [b"PONG"]


def test_reset_ends_reply_off(r, c):
    c.send(encode_command("CLIENT", "REPLY", "OFF"))
    c.send(encode_command("SET", "k", "v"))
    assert c.call("RESET") == b"RESET"
    assert c.call("GET", "k") == b"v"


# ------------------------------------------------------------ AUTH requirepass


def test_auth_without_password_configured(r, c):
    assert c.error("AUTH", "x") == (
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?")
    assert c.error("AUTH", "someuser", "x") == WRONGPASS
    assert c.error("AUTH") == arity("auth")
    assert c.call("PING") == b"PONG"


def test_requirepass_noauth(auth_server, raw):
    c = raw(port=auth_server.port)
    assert c.error("PING") == NOAUTH
    assert c.error("GET", "x") == NOAUTH
    assert c.error("SET", "x", "1") == NOAUTH
    assert c.error("CLIENT", "ID") == NOAUTH
    assert c.error("MULTI") == NOAUTH
    # command lookup and arity come before the authentication check
    assert c.error("NOSUCHCOMMAND") == "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: "
    assert c.error("GET") == arity("get")
    assert c.error("HELLO", 3) == NOAUTH_HELLO
    assert c.error("HELLO") == NOAUTH_HELLO


def test_requirepass_wrongpass_then_auth(auth_server, raw):
    c = raw(port=auth_server.port)
    assert c.error("AUTH", "wrong") == WRONGPASS
    assert c.error("AUTH", "default", "wrong") == WRONGPASS
    assert c.error("AUTH", "nosuchuser", "s3cret") == WRONGPASS
    assert c.error("GET", "x") == NOAUTH
    assert c.call("AUTH", "s3cret") == b"OK"
    assert c.call("SET", "x", "1") == b"OK"
    c2 = raw(port=auth_server.port)
    assert c2.call("AUTH", "default", "s3cret") == b"OK"
    assert c2.call("GET", "x") == b"1"
    # a failed AUTH after success does not log the connection out
    assert c2.error("AUTH", "bad") == WRONGPASS
    assert c2.call("GET", "x") == b"1"


def test_requirepass_quit_allowed(auth_server, raw):
    c = raw(port=auth_server.port)
    assert c.call("QUIT") == b"OK"
    assert c.read_until_closed() == b""


def test_requirepass_reset_logs_out(auth_server, raw):
    c = raw(port=auth_server.port)
    c.call("AUTH", "s3cret")
    assert c.call("PING") == b"PONG"
    assert c.call("RESET") == b"RESET"
    assert c.error("PING") == NOAUTH


def test_requirepass_hello_auth(auth_server, raw):
    c = raw(port=auth_server.port)
    assert c.error("HELLO", 3, "AUTH", "default", "wrong") == WRONGPASS
    assert c.error("PING") == NOAUTH
    reply = c.call("HELLO", 3, "AUTH", "default", "s3cret", "SETNAME", "authed")
    assert isinstance(reply, dict)
    assert reply[b"proto"] == 3
    assert c.call("CLIENT", "GETNAME") == b"authed"
    assert c.call_raw("GET", "nokey") == b"_\r\n"


def test_requirepass_redis_py(auth_server):
    bad = auth_server.client()
    with pytest.raises(redis.exceptions.AuthenticationError):
        bad.ping()
    bad.connection_pool.disconnect()
    with pytest.raises(redis.exceptions.ResponseError) as info:
        auth_server.client(password="wrong").ping()
    assert "WRONGPASS" in str(info.value)
    good = auth_server.client(password="s3cret")
    assert good.ping() is True
    assert good.set("k", "v") is True
    good.connection_pool.disconnect()


def test_requirepass_redis_cli(auth_server, cli):
    out = cli("-a", "s3cret", "--no-auth-warning", "PING", port=auth_server.port)
    assert out.stdout.strip() == "PONG"
    out = cli("PING", port=auth_server.port)
    assert "NOAUTH Authentication required." in out.stdout + out.stderr


def test_requirepass_config_set_at_runtime(r, raw, set_config):
    set_config("requirepass", "rt-pass")
    c = raw()
    assert c.error("GET", "k") == NOAUTH
    assert c.call("AUTH", "rt-pass") == b"OK"
    assert c.call("PING") == b"PONG"
    # r was connected before: still authenticated
    assert r.ping() is True


# ------------------------------------------------------------ HELLO


def test_hello_default_is_resp2(r, c):
    reply = c.call("HELLO")
    assert isinstance(reply, list)
    m = hello_map(reply)
    assert set(m) >= {b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"}
    assert m[b"proto"] == 2
    assert m[b"mode"] == b"standalone"
    assert m[b"role"] == b"master"
    assert m[b"id"] == c.call("CLIENT", "ID")
    assert re.fullmatch(rb"\d+\.\d+\.\d+", m[b"version"])
    assert m[b"modules"] == []


def test_hello_3_and_back(r, c):
    raw3 = c.call_raw("HELLO", 3)
    assert raw3.startswith(b"%7\r\n")
    m = c.call("HELLO")
    assert isinstance(m, dict) and m[b"proto"] == 3
    assert c.call_raw("GET", "missing") == b"_\r\n"
    m2 = c.call("HELLO", 2)
    assert isinstance(m2, list) and hello_map(m2)[b"proto"] == 2
    assert c.call_raw("GET", "missing") == b"$-1\r\n"


def test_hello_setname(r, c):
    m = hello_map(c.call("HELLO", 2, "SETNAME", "hello-name"))
    assert m[b"proto"] == 2
    assert c.call("CLIENT", "GETNAME") == b"hello-name"


def test_hello_auth_without_requirepass(r, c):
    m = hello_map(c.call("HELLO", 2, "AUTH", "default", "anything"))
    assert m[b"proto"] == 2
    assert c.error("HELLO", 2, "AUTH", "nouser", "x") == WRONGPASS


def test_hello_errors(r, c):
    assert c.error("HELLO", 4) == "NOPROTO unsupported protocol version"
    assert c.error("HELLO", 1) == "NOPROTO unsupported protocol version"
    assert c.error("HELLO", "x") == "ERR Protocol version is not an integer or out of range"
    assert c.error("HELLO", 3, "AUTH", "default") == "ERR Syntax error in HELLO option 'AUTH'"
    assert c.error("HELLO", 3, "SETNAME") == "ERR Syntax error in HELLO option 'SETNAME'"
    assert c.error("HELLO", 3, "FOO") == "ERR Syntax error in HELLO option 'FOO'"
    assert c.error("HELLO", 2, "SETNAME", "bad name") == BAD_NAME
    # failed HELLO changes nothing
    assert c.call_raw("GET", "missing") == b"$-1\r\n"


# ------------------------------------------------------------ CLIENT ID / NAME


def test_client_id_unique_and_increasing(r, raw):
    ids = [raw().call("CLIENT", "ID") for _ in range(5)]
    assert all(isinstance(i, int) and i > 0 for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == 5
    c = raw()
    assert c.call("CLIENT", "ID") == c.call("CLIENT", "ID")


def test_client_setname_getname(r, c):
    assert c.call("CLIENT", "GETNAME") is None
    assert c.call("CLIENT", "SETNAME", "worker-1") == b"OK"
    assert c.call("CLIENT", "GETNAME") == b"worker-1"
    assert c.call("CLIENT", "SETNAME", "") == b"OK"
    assert c.call("CLIENT", "GETNAME") is None
    for bad in ["a b", "a\nb", "tab\there", "\x01"]:
        assert c.error("CLIENT", "SETNAME", bad) == BAD_NAME
    assert c.error("CLIENT", "SETNAME") == "ERR wrong number of arguments for 'client|setname' command"


def test_client_unknown_subcommand(r, c):
    assert c.error("CLIENT", "FOO") == "ERR unknown subcommand 'FOO'. Try CLIENT HELP."
    help_lines = c.call("CLIENT", "HELP")
    assert isinstance(help_lines, list) and any(l.startswith(b"KILL") for l in help_lines)


# ------------------------------------------------------------ CLIENT LIST / INFO


def test_client_info_fields(r, c):
    c.call("CLIENT", "SETNAME", "me")
    c.call("SELECT", 4)
    line = c.call("CLIENT", "INFO")
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    info = parse_client_line(line)
    for field in ("id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db",
                  "multi", "cmd", "user", "resp", "lib-name", "lib-ver"):
        assert field in info, field
    assert info["id"] == str(c.call("CLIENT", "ID"))
    local = c.sock.getsockname()
    assert info["addr"] == f"{local[0]}:{local[1]}"
    peer = c.sock.getpeername()
    assert info["laddr"] == f"{peer[0]}:{peer[1]}"
    assert info["name"] == "me"
    assert info["db"] == "4"
    assert info["flags"] == "N"
    assert info["cmd"] == "client|info"
    assert info["user"] == "default"
    assert info["resp"] == "2"
    assert info["multi"] == "-1"


def test_client_info_in_multi(r, c):
    c.call("MULTI")
    c.call("PING")
    c.call("CLIENT", "INFO")
    _, line = c.call("EXEC")
    info = parse_client_line(line)
    assert "x" in info["flags"]
    assert info["multi"] == "2"


def test_client_list(r, raw):
    a, b, d = raw(), raw(), raw()
    a.call("CLIENT", "SETNAME", "alpha")
    b.call("CLIENT", "SETNAME", "beta")
    entries = client_list(d)
    by_name = {e["name"]: e for e in entries}
    assert "alpha" in by_name and "beta" in by_name
    assert by_name["alpha"]["id"] == str(a.call("CLIENT", "ID"))
    me = [e for e in entries if e["id"] == str(d.call("CLIENT", "ID"))]
    assert len(me) == 1 and me[0]["cmd"] == "client|list"
    assert all(e["flags"] == "N" for e in entries)


def test_client_list_filters(r, raw):
    a, b, d = raw(), raw(), raw()
    ida, idb = a.call("CLIENT", "ID"), b.call("CLIENT", "ID")
    got = client_list(d, "ID", ida, idb, 999999999)
    assert sorted(int(e["id"]) for e in got) == sorted([ida, idb])
    assert client_list(d, "ID", 999999999) == []
    normal = client_list(d, "TYPE", "normal")
    assert {str(ida), str(idb)} <= {e["id"] for e in normal}
    assert client_list(d, "TYPE", "replica") == []
    assert client_list(d, "TYPE", "master") == []
    assert d.error("CLIENT", "LIST", "TYPE", "foo") == "ERR Unknown client type 'foo'"
    assert d.error("CLIENT", "LIST", "ID", "x") == "ERR Invalid client ID"
    assert d.error("CLIENT", "LIST", "FOO") == SYNTAX


def test_client_list_shows_last_command_and_db(r, raw):
    a, d = raw(), raw()
    aid = a.call("CLIENT", "ID")
    a.call("SELECT", 9)
    a.call("SET", "k", "v")
    (entry,) = client_list(d, "ID", aid)
    assert entry["db"] == "9"
    assert entry["cmd"] == "set"
    assert entry["name"] == ""


def test_client_setinfo(r, c):
    assert c.call("CLIENT", "SETINFO", "LIB-NAME", "weir-py") == b"OK"
    assert c.call("CLIENT", "SETINFO", "lib-ver", "1.2.3") == b"OK"
    info = parse_client_line(c.call("CLIENT", "INFO"))
    assert info["lib-name"] == "weir-py"
    assert info["lib-ver"] == "1.2.3"
    assert c.error("CLIENT", "SETINFO", "lib-name", "has space") == \
        "ERR lib-name cannot contain spaces, newlines or special characters."
    # the option is echoed as the client spelled it
    assert c.error("CLIENT", "SETINFO", "LIB-NAME", "has space") == \
        "ERR LIB-NAME cannot contain spaces, newlines or special characters."
    assert c.error("CLIENT", "SETINFO", "lib-ver", "a\nb") == \
        "ERR lib-ver cannot contain spaces, newlines or special characters."
    assert c.error("CLIENT", "SETINFO", "FOO", "bar") == "ERR Unrecognized option 'FOO'"
    assert c.call("CLIENT", "SETINFO", "LIB-NAME", "") == b"OK"
    assert parse_client_line(c.call("CLIENT", "INFO"))["lib-name"] == ""


# ------------------------------------------------------------ CLIENT KILL


def test_client_kill_by_id(r, raw):
    victim, killer = raw(), raw()
    vid = victim.call("CLIENT", "ID")
    assert killer.call("CLIENT", "KILL", "ID", vid) == 1
    assert victim.read_until_closed() == b""
    assert killer.call("CLIENT", "KILL", "ID", vid) == 0
    assert killer.call("PING") == b"PONG"


def test_client_kill_old_syntax_addr(r, raw):
    victim, killer = raw(), raw()
    # A round trip first: with several event loops the accept may not have happened yet.
    assert victim.call("PING") == b"PONG"
    local = victim.sock.getsockname()
    assert killer.call("CLIENT", "KILL", f"{local[0]}:{local[1]}") == b"OK"
    assert victim.read_until_closed() == b""
    assert killer.error("CLIENT", "KILL", f"{local[0]}:{local[1]}") == "ERR No such client"
    assert killer.error("CLIENT", "KILL", "1.2.3.4:5") == "ERR No such client"


def test_client_kill_addr_filter(r, raw):
    victim, killer = raw(), raw()
    # A round trip first: with several event loops the accept may not have happened yet.
    assert victim.call("PING") == b"PONG"
    local = victim.sock.getsockname()
    assert killer.call("CLIENT", "KILL", "ADDR", f"{local[0]}:{local[1]}") == 1
    assert victim.read_until_closed() == b""
    assert killer.call("CLIENT", "KILL", "ADDR", "1.2.3.4:5") == 0


def test_client_kill_skipme(r, c):
    me = c.call("CLIENT", "ID")
    assert c.call("CLIENT", "KILL", "ID", me) == 0  # SKIPME yes is the default
    assert c.call("CLIENT", "KILL", "ID", me, "SKIPME", "yes") == 0
    assert c.call("CLIENT", "KILL", "ID", me, "SKIPME", "no") == 1
    assert c.read_until_closed() == b""


def test_client_kill_errors(r, c):
    assert c.error("CLIENT", "KILL", "ID", "x") == "ERR client-id should be greater than 0"
    assert c.error("CLIENT", "KILL", "TYPE", "foo") == "ERR Unknown client type 'foo'"
    assert c.error("CLIENT", "KILL", "FOO", "bar") == SYNTAX
    assert c.error("CLIENT", "KILL", "SKIPME", "maybe") == SYNTAX
    assert c.error("CLIENT", "KILL", "ID", 1, "SKIPME") == SYNTAX
    # three arguments is the old CLIENT KILL <addr> form
    assert c.error("CLIENT", "KILL", "ID") == "ERR No such client"
    assert c.call("PING") == b"PONG"


def test_client_kill_user_laddr_type(server_factory, raw):
    srv = server_factory()
    conns = [raw(port=srv.port) for _ in range(3)]
    for conn in conns:
        assert conn.call("PING") == b"PONG"
    killer = raw(port=srv.port)
    assert killer.call("CLIENT", "KILL", "USER", "default") == 3
    for conn in conns:
        assert conn.read_until_closed() == b""

    conns = [raw(port=srv.port) for _ in range(2)]
    for conn in conns:
        conn.call("PING")
    laddr = f"{killer.sock.getpeername()[0]}:{srv.port}"
    assert killer.call("CLIENT", "KILL", "LADDR", laddr) == 2
    for conn in conns:
        assert conn.read_until_closed() == b""
    assert killer.call("CLIENT", "KILL", "LADDR", "127.0.0.1:1") == 0

    conns = [raw(port=srv.port) for _ in range(2)]
    for conn in conns:
        conn.call("PING")
    assert killer.call("CLIENT", "KILL", "TYPE", "normal") == 2
    for conn in conns:
        assert conn.read_until_closed() == b""
    assert killer.call("CLIENT", "KILL", "TYPE", "replica") == 0
    assert killer.call("PING") == b"PONG"


def test_client_kill_user_unknown(r, c):
    assert c.error("CLIENT", "KILL", "USER", "nosuchuser") == "ERR No such user 'nosuchuser'"


def test_client_kill_combined_filters(r, raw):
    a, b, killer = raw(), raw(), raw()
    aid = a.call("CLIENT", "ID")
    bid = b.call("CLIENT", "ID")
    # filters are ANDed: ID of a with TYPE replica matches nothing
    assert killer.call("CLIENT", "KILL", "ID", aid, "TYPE", "replica") == 0
    assert killer.call("CLIENT", "KILL", "ID", bid, "TYPE", "normal", "USER", "default") == 1
    assert b.read_until_closed() == b""
    assert a.call("PING") == b"PONG"


def test_client_kill_maxage_is_refused_as_in_7_2(raw):
    """MAXAGE arrived in Redis 7.4; 7.2, which Weir follows, answers a syntax error."""
    killer = raw()
    assert killer.call("CLIENT", "KILL", "MAXAGE", 1000000) == RespError(SYNTAX)
    assert killer.call("PING") == b"PONG"


def test_killed_redis_py_client_reconnects(r, c):
    rid = r.client_id()
    assert c.call("CLIENT", "KILL", "ID", rid) == 1
    # redis-py notices the closed connection and reconnects for the next command
    wait_until(lambda: _try_ping(r), seconds=5, msg="redis-py reconnect")
    assert r.client_id() != rid


def _try_ping(client):
    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False


# ------------------------------------------------------------ PAUSE UNPAUSE


def _no_reply_within(conn, seconds):
    conn.sock.settimeout(seconds)
    try:
        data = conn.sock.recv(1)
        return False if data else pytest.fail("connection closed")
    except socket.timeout:
        return True
    finally:
        conn.sock.settimeout(timeout(15))


def test_client_pause_write(r, raw):
    admin, writer, reader = raw(), raw(), raw()
    writer.call("SET", "k", "before")
    assert admin.call("CLIENT", "PAUSE", 20000, "WRITE") == b"OK"
    try:
        assert reader.call("GET", "k") == b"before"  # reads proceed
        writer.send_command("SET", "k", "during")
        assert _no_reply_within(writer, 0.3)  # the write is held
        assert reader.call("GET", "k") == b"before"
    finally:
        assert admin.call("CLIENT", "UNPAUSE") == b"OK"
    assert writer.read() == b"OK"
    assert reader.call("GET", "k") == b"during"


def test_client_pause_all(r, raw):
    """ALL mode holds every command, CLIENT UNPAUSE included, until the
    timeout ends."""
    admin, other = raw(), raw()
    admin.call("SET", "k", "v")
    t0 = time.monotonic()
    assert admin.call("CLIENT", "PAUSE", 600) == b"OK"
    other.send_command("GET", "k")
    admin.send_command("CLIENT", "UNPAUSE")
    assert other.read() == b"v"
    assert admin.read() == b"OK"
    assert time.monotonic() - t0 >= 0.55


def test_client_pause_expires_by_itself(r, raw):
    admin, writer = raw(), raw()
    t0 = time.monotonic()
    admin.call("CLIENT", "PAUSE", 300, "WRITE")
    assert writer.call("SET", "k", "v") == b"OK"
    assert time.monotonic() - t0 >= 0.25
    assert writer.call("GET", "k") == b"v"


def test_client_pause_errors(r, c):
    assert c.error("CLIENT", "PAUSE", "x") == "ERR timeout is not an integer or out of range"
    assert c.error("CLIENT", "PAUSE", -1) == "ERR timeout is negative"
    assert c.error("CLIENT", "PAUSE", 100, "FOO") == "ERR CLIENT PAUSE mode must be WRITE or ALL"
    # now + timeout would overflow (found by tests/fuzz/command_fuzz: signed overflow).
    assert c.error("CLIENT", "PAUSE", 2**63 - 1) == "ERR timeout is out of range"
    assert c.error("CLIENT", "PAUSE", 2**63 - 1, "WRITE") == "ERR timeout is out of range"
    assert c.call("SET", "k", "v") == b"OK"  # nothing was paused
    assert c.call("CLIENT", "UNPAUSE") == b"OK"


# ------------------------------------------------------------ CLIENT REPLY


def test_client_reply_off_on(r, c):
    c.send(encode_command("CLIENT", "REPLY", "OFF"))
    c.send(encode_command("SET", "a", "1"))
    c.send(encode_command("GET", "a"))
    c.send(encode_command("NOSUCHCMD"))
    assert c.call("CLIENT", "REPLY", "ON") == b"OK"
    assert c.call("GET", "a") == b"1"


def test_client_reply_skip(r, c):
    c.send(encode_command("CLIENT", "REPLY", "SKIP"))
    c.send(encode_command("SET", "a", "1"))  # reply skipped
    assert c.call("INCR", "a") == 2  # next one is answered
    assert c.call("PING") == b"PONG"


def test_client_reply_errors(r, c):
    assert c.error("CLIENT", "REPLY", "MAYBE") == SYNTAX
    assert c.call("CLIENT", "REPLY", "ON") == b"OK"


# ------------------------------------------------------------ NO-EVICT NO-TOUCH


def test_client_no_evict(r, c):
    assert c.call("CLIENT", "NO-EVICT", "ON") == b"OK"
    assert "e" in parse_client_line(c.call("CLIENT", "INFO"))["flags"]
    assert c.call("CLIENT", "NO-EVICT", "OFF") == b"OK"
    assert "e" not in parse_client_line(c.call("CLIENT", "INFO"))["flags"]
    assert c.error("CLIENT", "NO-EVICT", "MAYBE") == SYNTAX


def test_client_no_touch(r, raw):
    c, other = raw(), raw()
    assert c.call("CLIENT", "NO-TOUCH", "ON") == b"OK"
    assert "T" in parse_client_line(c.call("CLIENT", "INFO"))["flags"]
    c.call("MSET", "a", "1", "b", "2")
    time.sleep(2.2)
    assert c.call("GET", "a") == b"1"  # does not update the access time
    assert c.call("OBJECT", "IDLETIME", "a") >= 2
    assert c.call("TOUCH", "b") == 1  # TOUCH always touches
    assert c.call("OBJECT", "IDLETIME", "b") <= 1
    assert other.call("GET", "a") == b"1"  # a normal client touches
    assert c.call("OBJECT", "IDLETIME", "a") <= 1
    assert c.call("CLIENT", "NO-TOUCH", "OFF") == b"OK"
    assert "T" not in parse_client_line(c.call("CLIENT", "INFO"))["flags"]
    assert c.error("CLIENT", "NO-TOUCH", "x") == SYNTAX


# ------------------------------------------------------------ maxclients


def test_maxclients_error(server_factory):
    srv = server_factory("--maxclients", "4")
    held = [RawConnection(srv.host, srv.port) for _ in range(4)]
    try:
        for conn in held:
            assert conn.call("PING") == b"PONG"
        extra = RawConnection(srv.host, srv.port)
        try:
            data = extra.read_until_closed()
            assert data == b"-ERR max number of clients reached\r\n"
        finally:
            extra.close()
        assert held[0].call("CONFIG", "GET", "maxclients") == [b"maxclients", b"4"]
    finally:
        for conn in held:
            conn.close()


def test_maxclients_redis_py_error(server_factory):
    srv = server_factory("--maxclients", "2")
    a, b = srv.client(), srv.client()
    assert a.ping() and b.ping()
    extra = srv.client()
    with pytest.raises(redis.exceptions.ConnectionError):
        extra.ping()
    for cl in (a, b, extra):
        cl.connection_pool.disconnect()
