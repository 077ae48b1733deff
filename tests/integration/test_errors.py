"""Error replies: unknown command / subcommand texts, arity texts, WRONGTYPE."""

import pytest

from conftest import RespError

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


# ------------------------------------------------------------ unknown command


def test_unknown_command_text(r, c):
    assert c.error("foo", "a", "b") == "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
    assert c.error("foo") == "ERR unknown command 'foo', with args beginning with: "
    # the name is echoed as sent
    assert c.error("FooBar", "x") == "ERR unknown command 'FooBar', with args beginning with: 'x' "


def test_unknown_command_raw_bytes(r, c):
    assert c.call_raw("foo", "a", "b") == b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"


def test_unknown_command_inline(r, c):
    c.send(b"foo bar baz\r\n")
    assert c.read() == RespError("ERR unknown command 'foo', with args beginning with: 'bar' 'baz' ")


def test_error_texts_end_at_nul(r, c):
    """Redis builds these texts with %s, which stops at a NUL byte (checked against
    redis-server)."""
    assert c.error("PI\x00NG") == "ERR unknown command 'PI', with args beginning with: "
    assert c.error("XFOO", "q\x00r", "z") == "ERR unknown command 'XFOO', with args beginning with: 'q' 'z' "
    assert c.error("CONFIG", "GE\x00T", "x") == "ERR unknown subcommand 'GE'. Try CONFIG HELP."


def test_unknown_command_long_name_truncated(r, c):
    name = "a" * 200
    assert c.error(name) == f"ERR unknown command '{'a' * 128}', with args beginning with: "


def test_unknown_command_long_args_truncated(r, c):
    assert c.error("foo", "x" * 200) == f"ERR unknown command 'foo', with args beginning with: '{'x' * 128}' "
    # arguments are listed until 128 characters of them have been printed
    assert c.error("foo", "x" * 100, "y" * 100, "z") == (
        f"ERR unknown command 'foo', with args beginning with: '{'x' * 100}' '{'y' * 25}' ")
    many = [str(i) for i in range(100)]
    err = c.error("foo", *many)
    shown = err[len("ERR unknown command 'foo', with args beginning with: "):]
    assert shown.startswith("'0' '1' '2' ")
    assert len(shown) < 140 and "'99'" not in shown


def test_error_text_has_no_newlines(r, c):
    assert c.error("foo", "a\r\nb") == "ERR unknown command 'foo', with args beginning with: 'a  b' "
    assert c.error("foo\nbar") == "ERR unknown command 'foo bar', with args beginning with: "


def test_unknown_subcommand(r, c):
    assert c.error("CONFIG", "nosuch") == "ERR unknown subcommand 'nosuch'. Try CONFIG HELP."
    assert c.error("config", "nosuch", "x") == "ERR unknown subcommand 'nosuch'. Try CONFIG HELP."
    assert c.error("CLIENT", "nosuch") == "ERR unknown subcommand 'nosuch'. Try CLIENT HELP."
    assert c.error("object", "nosuch", "k") == "ERR unknown subcommand 'nosuch'. Try OBJECT HELP."
    assert c.error("COMMAND", "nosuch") == "ERR unknown subcommand 'nosuch'. Try COMMAND HELP."


def test_connection_usable_after_errors(r, c):
    for _ in range(50):
        c.error("nosuchcommand")
        c.error("GET")
    assert c.call("SET", "k", "v") == b"OK"
    assert c.call("GET", "k") == b"v"


def test_redis_py_sees_errors(r):
    import redis

    with pytest.raises(redis.exceptions.ResponseError) as info:
        r.execute_command("NOSUCHCOMMAND", "a")
    assert "unknown command 'NOSUCHCOMMAND'" in str(info.value)
    assert r.ping()


# ------------------------------------------------------------ arity


@pytest.mark.parametrize(
    "args,name",
    [
        (["GET"], "get"),
        (["GET", "a", "b"], "get"),
        (["get"], "get"),
        (["SET", "k"], "set"),
        (["MSET", "a"], "mset"),
        (["MGET"], "mget"),
        (["APPEND", "k"], "append"),
        (["INCR"], "incr"),
        (["SETBIT", "k", "1"], "setbit"),
        (["BITOP", "AND", "d"], "bitop"),
        (["DEL"], "del"),
        (["EXISTS"], "exists"),
        (["RENAME", "a"], "rename"),
        (["EXPIRE", "k"], "expire"),
        (["TTL"], "ttl"),
        (["DBSIZE", "x"], "dbsize"),
        (["SELECT"], "select"),
        (["WATCH"], "watch"),
        (["ECHO"], "echo"),
        (["PING", "a", "b"], "ping"),
        (["CLIENT"], "client"),
        (["CONFIG"], "config"),
        (["OBJECT"], "object"),
        (["CONFIG", "GET"], "config|get"),
        (["config", "get"], "config|get"),
        (["Client", "Setname"], "client|setname"),
        (["CLIENT", "ID", "x"], "client|id"),
        (["OBJECT", "ENCODING"], "object|encoding"),
        (["COMMAND", "COUNT", "x"], "command|count"),
    ],
)
def test_wrong_arity_text(r, c, args, name):
    assert c.error(*args) == arity(name)


def test_arity_error_does_not_execute(r, c):
    c.call("SET", "k", "v")
    assert c.error("DEL") == arity("del")
    assert c.error("GET", "k", "k") == arity("get")
    assert c.call("GET", "k") == b"v"


# ------------------------------------------------------------ WRONGTYPE


STRING_COMMANDS_ON_LIST = [
    ["GET", "L"],
    ["SET", "L", "v", "GET"],
    ["GETSET", "L", "v"],
    ["GETDEL", "L"],
    ["GETEX", "L", "PERSIST"],
    ["APPEND", "L", "x"],
    ["STRLEN", "L"],
    ["INCR", "L"],
    ["DECR", "L"],
    ["INCRBY", "L", 2],
    ["DECRBY", "L", 2],
    ["INCRBYFLOAT", "L", 1.5],
    ["SETRANGE", "L", 0, "x"],
    ["GETRANGE", "L", 0, -1],
    ["SUBSTR", "L", 0, -1],
    ["SETBIT", "L", 0, 1],
    ["GETBIT", "L", 0],
    ["BITCOUNT", "L"],
    ["BITPOS", "L", 1],
    ["BITFIELD", "L", "GET", "u8", 0],
    ["BITFIELD_RO", "L", "GET", "u8", 0],
    ["BITOP", "OR", "dest", "L"],
]


@pytest.mark.parametrize("args", STRING_COMMANDS_ON_LIST, ids=lambda a: a[0])
def test_wrongtype(r, c, args):
    assert c.call("LPUSH", "L", "a", "b") == 2
    assert c.error(*args) == WRONGTYPE
    assert c.call("TYPE", "L") == b"list"
    assert c.call("EXISTS", "dest") == 0


def test_wrongtype_raw_bytes(r, c):
    c.call("LPUSH", "L", "a")
    assert c.call_raw("GET", "L") == b"-" + WRONGTYPE.encode() + b"\r\n"


def test_wrongtype_in_multi_does_not_abort(r, c):
    c.call("LPUSH", "L", "a")
    c.call("MULTI")
    assert c.call("GET", "L") == b"QUEUED"  # type errors are found at EXEC time
    c.call("SET", "s", "1")
    assert c.call("EXEC") == [RespError(WRONGTYPE), b"OK"]


def test_generic_commands_work_on_any_type(r, c):
    c.call("LPUSH", "L", "a")
    assert c.call("TYPE", "L") == b"list"
    assert c.call("EXISTS", "L") == 1
    assert c.call("EXPIRE", "L", 100) == 1
    assert c.call("TTL", "L") > 0
    assert c.call("PERSIST", "L") == 1
    assert c.call("TOUCH", "L") == 1
    assert c.call("COPY", "L", "L2") == 1
    assert c.call("TYPE", "L2") == b"list"
    assert c.call("RENAME", "L2", "L3") == b"OK"
    assert c.call("TYPE", "L3") == b"list"
    assert c.call("MOVE", "L3", 1) == 1
    assert isinstance(c.call("OBJECT", "ENCODING", "L"), bytes)
    keys = c.call("SCAN", 0, "TYPE", "list")[1]
    assert keys == [b"L"]
    assert c.call("MGET", "L") == [None]
    assert c.call("SETNX", "L", "x") == 0
    assert c.call("MSETNX", "L", "x", "other", "y") == 0
    assert c.call("DEL", "L") == 1


def test_set_overwrites_other_types(r, c):
    c.call("LPUSH", "L", "a")
    c.call("EXPIRE", "L", 100)
    assert c.call("SET", "L", "now a string") == b"OK"
    assert c.call("TYPE", "L") == b"string"
    assert c.call("TTL", "L") == -1
    c.call("LPUSH", "M", "a")
    assert c.call("MSET", "M", "str") == b"OK"
    assert c.call("GET", "M") == b"str"
    c.call("LPUSH", "N", "a")
    c.call("SET", "S", "str")
    assert c.call("RENAME", "S", "N") == b"OK"
    assert c.call("GET", "N") == b"str"
    c.call("LPUSH", "B", "a")
    c.call("SET", "src", "x")
    assert c.call("BITOP", "NOT", "B", "src") == 1  # the destination is replaced
    assert c.call("TYPE", "B") == b"string"


def test_wrongtype_redis_py(r):
    import redis

    r.lpush("L", "a")
    with pytest.raises(redis.exceptions.ResponseError) as info:
        r.get("L")
    assert str(info.value) == WRONGTYPE


def test_not_integer_error_text_everywhere(r, c):
    c.call("SET", "s", "abc")
    msg = "ERR value is not an integer or out of range"
    for args in (["INCR", "s"], ["INCRBY", "k", "x"], ["EXPIRE", "s", "x"], ["SELECT", "x"],
                 ["GETRANGE", "s", "a", "b"], ["SETEX", "k", "x", "v"], ["MOVE", "s", "x"]):
        assert c.error(*args) == msg, args


def test_syntax_error_text_everywhere(r, c):
    c.call("SET", "s", "abc")
    for args in (["SET", "k", "v", "BOGUS"], ["GETEX", "s", "BOGUS"], ["SCAN", 0, "BOGUS", 1],
                 ["BITCOUNT", "s", 0], ["COPY", "s", "d", "BOGUS"], ["FLUSHALL", "BOGUS"]):
        assert c.error(*args) == "ERR syntax error", args
