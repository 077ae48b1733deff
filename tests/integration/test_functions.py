"""Functions: FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP, FCALL and
FCALL_RO, with Redis 7.2's replies and error texts (tests/unit/functions.tcl is the model)."""

import os
import shutil
import struct
import subprocess
import tempfile
import threading
import time

import pytest
import redis

from conftest import IS_WEIR, RespError, free_port, timeout, wait_until

NAME_ERROR = ("ERR Library names can only contain letters, numbers, or underscores(_) and must be "
              "at least one character long")
BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."


def lib(name, body, engine="lua"):
    """A library's code: the shebang line, then body."""
    return f"#!{engine} name={name}\n{body}"


def fn_lib(name, fname, body, flags=None):
    """A library registering one function whose body is `body` (keys and args in scope)."""
    if flags is None:
        return lib(name, f"redis.register_function('{fname}', function(keys, args)\n{body}\nend)")
    flag_list = ", ".join(f"'{f}'" for f in flags)
    return lib(name, f"redis.register_function{{function_name='{fname}', "
                     f"callback=function(keys, args)\n{body}\nend, flags={{{flag_list}}}}}")


@pytest.fixture(autouse=True)
def no_functions(server):
    """Every test starts without libraries (FLUSHALL keeps them, as in Redis)."""
    client = server.client()
    client.execute_command("FUNCTION", "FLUSH")
    client.connection_pool.disconnect()


def load_error(c, code, *options):
    return c.error("FUNCTION", "LOAD", *options, code)


# ------------------------------------------------------------ LOAD and FCALL


def test_load_and_call(r, c):
    assert c.call("FUNCTION", "LOAD", fn_lib("mylib", "hello", "return 'hello'")) == b"mylib"
    assert c.call("FCALL", "hello", "0") == b"hello"
    # function names are found without case
    assert c.call("FCALL", "HELLO", "0") == b"hello"
    assert c.call("FCALL_RO", "HeLLo", "0") == RespError(
        "ERR Can not execute a script with write flag using *_ro command.")


def test_keys_and_args(r, c):
    c.call("FUNCTION", "LOAD", fn_lib("kv", "setter",
                                      "redis.call('set', keys[1], args[1])\n"
                                      "return {#keys, #args, keys[1], args[2]}"))
    assert c.call("FCALL", "setter", "1", "k", "v", "extra") == [1, 2, b"k", b"extra"]
    assert r.get("k") == b"v"
    # no key: keys[1] is nil (the library's line 1 is the shebang, so the body is line 3)
    assert c.call("FCALL", "setter", "0", "x") == RespError(
        "ERR Lua redis lib command arguments must be strings or integers script: setter, "
        "on @user_function:3.")


def test_fcall_errors(r, c):
    c.call("FUNCTION", "LOAD", fn_lib("t", "test", "return 1"))
    assert c.error("FCALL", "nosuch", "0") == "ERR Function not found"
    # the function is looked up before numkeys is read
    assert c.error("FCALL", "nosuch", "bad") == "ERR Function not found"
    assert c.error("FCALL", "test", "bad_arg") == "ERR Bad number of keys provided"
    assert c.error("FCALL", "test", "10", "key1") == \
        "ERR Number of keys can't be greater than number of args"
    assert c.error("FCALL", "test", "-1", "key1") == "ERR Number of keys can't be negative"
    assert c.error("FCALL", "test") == "ERR wrong number of arguments for 'fcall' command"
    assert c.error("FCALL_RO", "test") == "ERR wrong number of arguments for 'fcall_ro' command"


def test_function_runtime_error_texts(r, c):
    c.call("FUNCTION", "LOAD", lib("errs", """
redis.register_function('boom', function(keys, args)
  error('boom')
end)
redis.register_function('callerr', function(keys, args)
  return redis.call('nosuchcommand')
end)
redis.register_function('pcallerr', function(keys, args)
  return redis.pcall('incr', 'str')
end)
redis.register_function('noreg', function(keys, args)
  redis.register_function('f2', function() return 2 end)
end)
redis.register_function('setglobal', function(keys, args)
  x = 1
end)"""))
    c.call("SET", "str", "abc")
    # line 1 is the shebang, line 2 the empty line after it
    assert c.error("FCALL", "boom", "0") == \
        "ERR user_function:4: boom script: boom, on @user_function:4."
    assert c.error("FCALL", "callerr", "0") == \
        "ERR Unknown Redis command called from script script: callerr, on @user_function:7."
    assert c.error("FCALL", "pcallerr", "0") == "ERR value is not an integer or out of range"
    # redis.register_function exists only while a library loads
    assert "attempt to call field 'register_function' (a nil value)" in \
        c.error("FCALL", "noreg", "0")
    assert "Attempt to modify a readonly table" in c.error("FCALL", "setglobal", "0")


def test_library_code_sees_only_the_load_api(r, c):
    cases = {
        "return math.random()": "Script attempted to access nonexistent global variable 'math'",
        "return redis.call('ping')": "Script attempted to access nonexistent global variable 'call'",
        "return redis.setresp(3)": "Script attempted to access nonexistent global variable 'setresp'",
        "return redis.set_repl(redis.REPL_NONE)":
            "Script attempted to access nonexistent global variable 'set_repl'",
        "mt = getmetatable(_G)": "Script attempted to access nonexistent global variable 'getmetatable'",
        "a = 1": "Attempt to modify a readonly table",
        "redis.x = 1": "Attempt to modify a readonly table",
    }
    for body, text in cases.items():
        err = load_error(c, lib("lib2", body))
        assert err.startswith("ERR Error registering functions: ERR user_function:2: "), err
        assert text in err, (body, err)
    # the load API: register_function, log and its levels, the version fields
    c.call("FUNCTION", "LOAD", lib("ok", """
redis.log(redis.LOG_NOTICE, 'loading library ok')
local v = redis.REDIS_VERSION
local n = redis.REDIS_VERSION_NUM
redis.register_function('version', function() return {v, n} end)"""))
    version, number = c.call("FCALL", "version", "0")
    major, minor, patch = (int(x) for x in version.split(b"."))
    assert number == (major << 16) | (minor << 8) | patch
    if IS_WEIR:
        assert version == b"7.2.6"


def test_functions_see_the_globals_and_shared_locals(r, c):
    c.call("FUNCTION", "LOAD", lib("lib1", """
local function add1(a)
  return a + 1
end
redis.register_function('f1', function(keys, args) return add1(1) end)
redis.register_function('f2', function(keys, args) return add1(2) end)
redis.register_function('f3', function(keys, args) return redis.call('ping') end)
redis.register_function('f4', function(keys, args) return string.format('%d', math.floor(2.5)) end)
"""))
    assert [c.call("FCALL", f, "0") for f in ("f1", "f2", "f3", "f4")] == [2, 3, b"PONG", b"2"]


def test_load_metadata_errors(r, c):
    body = "\nredis.register_function('foo', function() return 1 end)"
    assert load_error(c, "return 1") == "ERR Missing library metadata"
    assert load_error(c, "#!lua name=nonewline") == "ERR Invalid library metadata"
    assert load_error(c, '#!lua name="unbalanced' + body) == "ERR Invalid library metadata"
    assert load_error(c, "#!lua" + body) == "ERR Library name was not given"
    assert load_error(c, "#!lua name=foo name=bar" + body) == \
        "ERR Invalid metadata value, name argument was given multiple times"
    assert load_error(c, "#!lua name=test foo=bar" + body) == \
        "ERR Invalid metadata value given: foo=bar"
    assert load_error(c, "#!lua name=bad-name" + body) == NAME_ERROR
    assert load_error(c, "#!lua name=" + body) == NAME_ERROR
    assert load_error(c, "#!bad_engine name=test" + body) == "ERR Engine 'bad_engine' not found"
    assert load_error(c, "#! name=test" + body) == "ERR Engine '' not found"
    assert load_error(c, lib("t", "bad script")).startswith(
        "ERR Error compiling function: user_function:2: ")
    assert load_error(c, lib("t", "return 1")) == "ERR No functions registered"
    assert c.error("FUNCTION", "LOAD", "foo", "bar", fn_lib("t", "f", "return 1")) == \
        "ERR Unknown option given: foo"
    # the engine name is matched without case; quotes work as in redis-cli
    assert c.call("FUNCTION", "LOAD", '#!LUA name="foo"' + body) == b"foo"
    assert c.call("FUNCTION", "LOAD", "#!lua NAME=bar\nredis.register_function('b', "
                                      "function() return 1 end)") == b"bar"
    assert c.call("FUNCTION", "LIST", "LIBRARYNAME", "foo")[0][3] == b"LUA"


def test_register_function_errors(r, c):
    def reg(args):
        return load_error(c, lib("lib2", f"redis.register_function({args})"))

    prefix = "ERR Error registering functions: ERR "
    assert reg("") == prefix + "wrong number of arguments to redis.register_function"
    assert reg("'f1', function() return 1 end, {}, 'd', 'x'") == \
        prefix + "wrong number of arguments to redis.register_function"
    assert reg("'f1'") == prefix + ("calling redis.register_function with a single argument is "
                                    "only applicable to Lua table (representing named arguments).")
    assert reg("nil, function() return 1 end") == \
        prefix + "first argument to redis.register_function must be a string"
    assert reg("'f1', 'not a function'") == \
        prefix + "second argument to redis.register_function must be a function"
    assert reg("'test\\0test', function() return 1 end") == prefix + NAME_ERROR[4:]
    assert reg("'', function() return 1 end") == prefix + NAME_ERROR[4:]
    named = {
        "function_name=function() return 1 end, callback=function() end":
            "function_name argument given to redis.register_function must be a string",
        "function_name='f1', callback='bad'":
            "callback argument given to redis.register_function must be a function",
        "function_name='f1', callback=function() end, description=function() end":
            "description argument given to redis.register_function must be a string",
        "function_name='f1', callback=function() end, some_unknown='x'":
            "unknown argument given to redis.register_function",
        "callback=function() end, description='d'":
            "redis.register_function must get a function name argument",
        "function_name='f1', description='d'": "redis.register_function must get a callback argument",
        "function_name='f1', callback=function() end, flags='bad flags type'":
            "flags argument to redis.register_function must be a table representing function flags",
        "function_name='f1', callback=function() end, flags={function() end}": "unknown flag given",
        "function_name='f1', callback=function() end, flags={'unknown'}": "unknown flag given",
    }
    for args, text in named.items():
        assert reg("{" + args + "}") == prefix + text, args
    err = load_error(c, lib("lib2", "redis.register_function('f1', function() return 1 end)\n"
                                    "redis.register_function('f1', function() return 1 end)"))
    assert err == prefix + "Function already exists in the library"
    assert c.call("FUNCTION", "LIST") == []


def test_load_timeout(r, c):
    start = time.monotonic()
    err = load_error(c, lib("slow", "local a = 1\nwhile 1 do a = a + 1 end"))
    assert err == "ERR Error registering functions: ERR FUNCTION LOAD timeout"
    assert time.monotonic() - start < timeout(5)
    assert c.call("PING") == b"PONG"


def test_replace_and_collisions(r, c):
    c.call("FUNCTION", "LOAD", fn_lib("test", "test", "return 'hello'"))
    assert load_error(c, fn_lib("test", "test", "return 'x'")) == "ERR Library 'test' already exists"
    assert c.call("FUNCTION", "LOAD", "REPLACE", fn_lib("test", "test", "return 'hello1'")) == b"test"
    assert c.call("FCALL", "test", "0") == b"hello1"
    # a failed REPLACE keeps the old library
    assert load_error(c, lib("test", "error('no')"), "REPLACE").startswith(
        "ERR Error registering functions")
    assert c.call("FCALL", "test", "0") == b"hello1"
    # function names are unique across libraries, without case
    assert load_error(c, fn_lib("other", "TEST", "return 1")) == "ERR Function TEST already exists"
    # replacing a library may take back its own function names
    assert c.call("FUNCTION", "LOAD", "replace", lib("test", """
redis.register_function('test', function() return 'v3' end)
redis.register_function('more', function() return 'more' end)""")) == b"test"
    assert c.call("FCALL", "more", "0") == b"more"
    # library names are case-sensitive
    assert c.call("FUNCTION", "LOAD", fn_lib("TEST", "upper", "return 1")) == b"TEST"
    assert sorted(lb[1] for lb in c.call("FUNCTION", "LIST")) == [b"TEST", b"test"]


# ------------------------------------------------------------ LIST


def test_list_reply_shape_resp2(r, c):
    code = lib("library1", """
redis.register_function('f6', function(keys, args) return 7 end)
redis.register_function{function_name='f7', callback=function() return 8 end,
  description='some desc', flags={'no-writes', 'ALLOW-OOM', 'allow-stale', 'no-cluster',
  'allow-cross-slot-keys'}}""")
    c.call("FUNCTION", "LOAD", code)
    listing = c.call("FUNCTION", "LIST")
    assert len(listing) == 1
    entry = listing[0]
    assert entry[:5] == [b"library_name", b"library1", b"engine", b"LUA", b"functions"]
    assert len(entry) == 6
    functions = sorted(entry[5])
    assert functions == [
        [b"name", b"f6", b"description", None, b"flags", []],
        [b"name", b"f7", b"description", b"some desc", b"flags",
         [b"no-writes", b"allow-oom", b"allow-stale", b"no-cluster", b"allow-cross-slot-keys"]],
    ]
    with_code = c.call("FUNCTION", "LIST", "WITHCODE")[0]
    assert with_code[6:] == [b"library_code", code.encode()]


def test_list_reply_resp3(r, raw):
    c3 = raw()
    c3.call("HELLO", "3")
    c3.call("FUNCTION", "LOAD", lib("l3", "redis.register_function{function_name='f', "
                                          "callback=function() return 1 end, flags={'no-writes'}}"))
    assert c3.call("FUNCTION", "LIST") == [{
        b"library_name": b"l3",
        b"engine": b"LUA",
        b"functions": [{b"name": b"f", b"description": None, b"flags": {b"no-writes"}}],
    }]
    c3.send_command("FUNCTION", "LIST")
    raw_reply = c3.read_raw()
    assert raw_reply.startswith(b"*1\r\n%3\r\n$12\r\nlibrary_name\r\n$2\r\nl3\r\n")
    assert b"$11\r\ndescription\r\n_\r\n$5\r\nflags\r\n~1\r\n+no-writes\r\n" in raw_reply
    stats = c3.call("FUNCTION", "STATS")
    assert stats == {b"running_script": None,
                     b"engines": {b"LUA": {b"libraries_count": 1, b"functions_count": 1}}}


def test_list_filters_and_errors(r, c):
    c.call("FUNCTION", "LOAD", fn_lib("library1", "f6", "return 7"))
    c.call("FUNCTION", "LOAD", fn_lib("lib1", "f7", "return 7"))
    names = lambda reply: sorted(e[1] for e in reply)  # noqa: E731
    assert names(c.call("FUNCTION", "LIST", "LIBRARYNAME", "library*")) == [b"library1"]
    # the pattern is matched without case
    assert names(c.call("FUNCTION", "LIST", "libraryname", "LIB*")) == [b"lib1", b"library1"]
    assert c.call("FUNCTION", "LIST", "LIBRARYNAME", "nomatch*") == []
    assert c.error("FUNCTION", "LIST", "bad_argument") == "ERR Unknown argument bad_argument"
    assert c.error("FUNCTION", "LIST", "libraryname") == "ERR library name argument was not given"
    assert c.error("FUNCTION", "LIST", "withcode", "withcode") == "ERR Unknown argument withcode"
    assert c.error("FUNCTION", "LIST", "withcode", "libraryname", "foo", "libraryname", "foo") == \
        "ERR Unknown argument libraryname"


# ------------------------------------------------------------ DELETE, FLUSH, STATS, HELP


def test_delete(r, c):
    c.call("FUNCTION", "LOAD", fn_lib("test", "test", "return 1"))
    assert c.error("FUNCTION", "DELETE", "TEST") == "ERR Library not found"
    assert c.call("FUNCTION", "DELETE", "test") == b"OK"
    assert c.error("FCALL", "test", "0") == "ERR Function not found"
    assert c.error("FUNCTION", "DELETE", "test") == "ERR Library not found"
    assert c.error("FUNCTION", "DELETE") == \
        "ERR wrong number of arguments for 'function|delete' command"


def test_flush(r, c):
    for mode in ((), ("ASYNC",), ("sync",)):
        c.call("FUNCTION", "LOAD", fn_lib("test", "test", "return 1"))
        assert c.call("FUNCTION", "FLUSH", *mode) == b"OK"
        assert c.call("FUNCTION", "LIST") == []
    assert c.error("FUNCTION", "FLUSH", "bad_arg") == "ERR FUNCTION FLUSH only supports SYNC|ASYNC option"
    # the subcommand is named as it was typed
    assert c.error("FUNCTION", "flush", "sync", "extra_arg") == \
        "ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP."
    # FLUSHALL and FLUSHDB leave functions alone
    c.call("FUNCTION", "LOAD", fn_lib("test", "test", "return 1"))
    c.call("FLUSHALL")
    c.call("FLUSHDB")
    assert len(c.call("FUNCTION", "LIST")) == 1


def test_stats_and_info(r, c):
    c.call("FUNCTION", "LOAD", lib("test1", "redis.register_function('f1', function() return 1 end)\n"
                                            "redis.register_function('f2', function() return 1 end)"))
    c.call("FUNCTION", "LOAD", fn_lib("test2", "f3", "return 1"))
    assert c.call("FUNCTION", "STATS") == [
        b"running_script", None,
        b"engines", [b"LUA", [b"libraries_count", 2, b"functions_count", 3]]]
    assert c.call("FCALL", "f3", "0") == 1
    info = r.info("memory")
    assert info["number_of_functions"] == 3
    assert info["number_of_libraries"] == 2
    assert info["used_memory_vm_functions"] > 0
    assert info["used_memory_functions"] > 0
    assert info["used_memory_vm_total"] >= info["used_memory_vm_functions"]
    assert info["used_memory_scripts"] >= info["used_memory_functions"]
    # a failed load changes nothing
    assert load_error(c, fn_lib("test1", "f9", "return 1")) == "ERR Library 'test1' already exists"
    c.call("FUNCTION", "DELETE", "test1")
    assert c.call("FUNCTION", "STATS")[3] == [b"LUA", [b"libraries_count", 1, b"functions_count", 1]]
    c.call("FUNCTION", "FLUSH")
    assert c.call("FUNCTION", "STATS")[3] == [b"LUA", [b"libraries_count", 0, b"functions_count", 0]]
    info = r.info("memory")
    assert info["number_of_functions"] == 0 and info["number_of_libraries"] == 0


def test_help_and_subcommand_errors(r, c):
    help_lines = c.call("FUNCTION", "HELP")
    assert help_lines[0] == b"FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert help_lines[1] == b"LOAD [REPLACE] <FUNCTION CODE>"
    assert help_lines[-2] == b"HELP"  # then "    Print this help." (7.0: "Prints")
    assert len(help_lines) == 40
    assert c.error("FUNCTION", "bad_subcommand") == \
        "ERR unknown subcommand 'bad_subcommand'. Try FUNCTION HELP."
    assert c.error("FUNCTION", "LOAD") == \
        "ERR wrong number of arguments for 'function|load' command"
    assert c.error("FUNCTION", "Restore", "arg1", "args2", "arg3") == \
        "ERR unknown subcommand or wrong number of arguments for 'Restore'. Try FUNCTION HELP."
    assert c.error("FUNCTION", "KILL") == "NOTBUSY No scripts in execution right now."


def test_command_getkeys(r, c):
    assert c.call("COMMAND", "GETKEYS", "fcall", "test", "2", "x", "y", "foo") == [b"x", b"y"]
    assert c.call("COMMAND", "GETKEYS", "fcall_ro", "test", "1", "x", "foo") == [b"x"]
    info = c.call("COMMAND", "INFO", "fcall", "fcall_ro")
    assert info[0][:3] == [b"fcall", -3, [b"noscript", b"stale", b"skip_monitor",
                                          b"no_mandatory_keys", b"movablekeys"]]
    assert info[1][:3] == [b"fcall_ro", -3, [b"readonly", b"noscript", b"stale", b"skip_monitor",
                                             b"no_mandatory_keys", b"movablekeys"]]


# ------------------------------------------------------------ read-only functions


def test_fcall_ro_and_no_writes(r, c):
    c.call("FUNCTION", "LOAD", fn_lib("w", "writer", "return redis.call('set', keys[1], 1)"))
    c.call("FUNCTION", "LOAD", fn_lib("nw", "nowrite", "return redis.call('set', keys[1], 1)",
                                      flags=["no-writes"]))
    c.call("FUNCTION", "LOAD", fn_lib("rd", "reader", "return redis.call('get', keys[1])",
                                      flags=["no-writes"]))
    assert c.error("FCALL_RO", "writer", "1", "x") == \
        "ERR Can not execute a script with write flag using *_ro command."
    assert c.call("FCALL", "writer", "1", "x") == b"OK"
    for cmd in ("FCALL", "FCALL_RO"):
        err = c.error(cmd, "nowrite", "1", "x")
        assert err.startswith("ERR Write commands are not allowed from read-only scripts."), err
        assert c.call(cmd, "reader", "1", "x") == b"1"


# ------------------------------------------------------------ keys the function did not declare


def test_function_writes_undeclared_keys(r, c):
    c.call("FUNCTION", "LOAD", fn_lib("spray", "spray", """
for i = 1, tonumber(args[1]) do
  redis.call('set', 'undeclared:' .. i, i)
end
redis.call('incrby', keys[1], args[1])
return redis.call('get', 'undeclared:1')"""))
    assert c.call("FCALL", "spray", "1", "total", "200") == b"1"
    assert r.get("total") == b"200"
    assert r.mget([f"undeclared:{i}" for i in (1, 57, 200)]) == [b"1", b"57", b"200"]
    # no keys declared at all, reads before writes (the run may start over to take more shards)
    c.call("FUNCTION", "LOAD", fn_lib("copy", "copyall", """
local n = 0
for i = 1, 200 do
  local v = redis.call('get', 'undeclared:' .. i)
  if v then redis.call('set', 'copy:' .. i, v) n = n + 1 end
end
return n"""))
    assert c.call("FCALL", "copyall", "0") == 200
    assert r.get("copy:123") == b"123"


def test_fcall_in_multi_and_resp3(r, raw):
    c = raw()
    c.call("FUNCTION", "LOAD", fn_lib("m", "incr2", "redis.call('incr', keys[1])\n"
                                                   "return redis.call('incr', 'other')"))
    c.call("MULTI")
    assert c.call("FCALL", "incr2", "1", "a") == b"QUEUED"
    assert c.call("FCALL", "incr2", "1", "b") == b"QUEUED"
    assert c.call("EXEC") == [1, 2]
    c.call("FUNCTION", "LOAD", fn_lib("r3", "map3", "redis.setresp(3)\n"
                                                   "return redis.call('hgetall', keys[1])"))
    r.hset("h", "f", "v")
    c.call("HELLO", "3")
    assert c.call("FCALL", "map3", "1", "h") == {b"f": b"v"}


# ------------------------------------------------------------ DUMP and RESTORE


# FUNCTION DUMP from Redis 7.0.15 (same payload format as 7.2; RDB version 10): two libraries,
# "small" stored as a plain string, "redislib" LZF-compressed.
REDIS_PAYLOAD = bytes.fromhex(
    "f5404623216c7561206e616d653d736d616c6c0a72656469732e72656769737465725f66756e6374696f6e28"
    "2773272c2066756e6374696f6e28292072657475726e203120656e6429f5c340c141171323216c7561206e61"
    "6d653d72656469736c69620a60081b2e72656769737465725f66756e6374696f6e282768656c6c6f272c20e0"
    "0011126b6579732c2061726773292072657475726e2080240020602aa0050327202e2e6024075b315d20656e"
    "6429e00f61007bc058005f60900427636f756e208120710863616c6c6261636b3dc021e00b7a80b7402a0428"
    "27696e63403740a020750029407620b7066c6167733d7b27204c106f772d6f6f6d277d2c2064657363726970"
    "40e1a0710273277d0a0005f74a9cd142a696")


def crc64(data):
    """Redis's CRC-64/Jones, bit by bit."""
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc


def rdb_string(data):
    """An RDB string, stored plain: its length (6, 14 or 32 bits), then its bytes."""
    if len(data) < 64:
        return bytes([len(data)]) + data
    if len(data) < 16384:
        return bytes([0x40 | (len(data) >> 8), len(data) & 0xFF]) + data
    return b"\x80" + struct.pack(">I", len(data)) + data


@pytest.fixture(scope="module")
def rdb_version(server):
    """The RDB version payloads carry: 11 for Redis 7.2 (and Weir), 10 for 7.0."""
    client = server.client()
    version = client.info("server")["redis_version"]
    client.connection_pool.disconnect()
    return 10 if version.startswith("7.0") else 11


def with_footer(body, version=11):
    data = body + struct.pack("<H", version)
    return data + struct.pack("<Q", crc64(data))


def test_dump_format(r, c, rdb_version):
    code = fn_lib("test", "test", "return 'hello'")
    c.call("FUNCTION", "LOAD", code)
    payload = c.call("FUNCTION", "DUMP")
    assert payload[-10:-8] == struct.pack("<H", rdb_version)
    assert struct.unpack("<Q", payload[-8:])[0] == crc64(payload[:-8])
    assert payload[0] == 245
    # the empty dump is just the footer
    c.call("FUNCTION", "FLUSH")
    assert c.call("FUNCTION", "DUMP") == with_footer(b"", rdb_version)


def test_dump_and_restore_policies(r, c):
    c.call("FUNCTION", "LOAD", fn_lib("test", "test", "return 'hello'"))
    payload = c.call("FUNCTION", "DUMP")
    listing = c.call("FUNCTION", "LIST")

    # default (APPEND) into an empty registry
    c.call("FUNCTION", "DELETE", "test")
    assert c.call("FUNCTION", "RESTORE", payload) == b"OK"
    assert c.call("FUNCTION", "LIST") == listing
    assert c.call("FCALL", "test", "0") == b"hello"

    # FLUSH drops what was there
    c.call("FUNCTION", "FLUSH")
    c.call("FUNCTION", "LOAD", fn_lib("other", "other", "return 'other'"))
    assert c.call("FUNCTION", "RESTORE", payload, "FLUSH") == b"OK"
    assert c.call("FUNCTION", "LIST") == listing
    assert c.error("FCALL", "other", "0") == "ERR Function not found"

    # APPEND: a library that exists aborts; others are kept beside the restored ones
    c.call("FUNCTION", "FLUSH")
    c.call("FUNCTION", "LOAD", fn_lib("test", "test", "return 'hello1'"))
    assert c.error("FUNCTION", "RESTORE", payload, "APPEND") == "ERR Library test already exists"
    c.call("FUNCTION", "FLUSH")
    c.call("FUNCTION", "LOAD", fn_lib("test1", "test1", "return 'hello1'"))
    assert c.call("FUNCTION", "RESTORE", payload, "append") == b"OK"
    assert c.call("FCALL", "test", "0") == b"hello"
    assert c.call("FCALL", "test1", "0") == b"hello1"

    # REPLACE swaps the library of the same name
    c.call("FUNCTION", "FLUSH")
    c.call("FUNCTION", "LOAD", fn_lib("test", "test", "return 'hello1'"))
    assert c.call("FUNCTION", "RESTORE", payload, "REPLACE") == b"OK"
    assert c.call("FCALL", "test", "0") == b"hello"

    assert c.error("FUNCTION", "RESTORE", payload, "BAD") == \
        "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."


def test_restore_function_collision(r, c):
    c.call("FUNCTION", "LOAD", lib("lib1", """
redis.register_function('f1', function() return 2 end)
redis.register_function('f2', function() return 3 end)
redis.register_function('f3', function() return 4 end)"""))
    payload = c.call("FUNCTION", "DUMP")
    c.call("FUNCTION", "FLUSH")
    c.call("FUNCTION", "LOAD", fn_lib("lib1", "f6", "return 7"))
    c.call("FUNCTION", "LOAD", lib("lib2", "redis.register_function('f4', function() return 5 end)\n"
                                           "redis.register_function('F3', function() return 9 end)"))
    assert c.error("FUNCTION", "RESTORE", payload) == "ERR Library lib1 already exists"
    err = c.error("FUNCTION", "RESTORE", payload, "REPLACE")
    assert err == "ERR Function f3 already exists"
    # nothing changed
    assert [c.call("FCALL", f, "0") for f in ("f3", "f4", "f6")] == [9, 5, 7]
    assert c.error("FCALL", "f1", "0") == "ERR Function not found"


def test_restore_bad_payloads(r, c, rdb_version):
    c.call("FUNCTION", "LOAD", fn_lib("test", "test", "return 'hello'"))
    listing = c.call("FUNCTION", "LIST")
    wrong = "ERR DUMP payload version or checksum are wrong"
    assert c.error("FUNCTION", "RESTORE", "bad_payload") == wrong
    assert c.error("FUNCTION", "RESTORE", "short") == wrong
    good = c.call("FUNCTION", "DUMP")
    assert c.error("FUNCTION", "RESTORE", good[:-1] + bytes([good[-1] ^ 1])) == wrong
    # a newer RDB version than the server's is refused
    body = good[:-10]
    assert c.error("FUNCTION", "RESTORE", with_footer(body, rdb_version + 1)) == wrong
    assert c.error("FUNCTION", "RESTORE", with_footer(b"\x00" + body[1:], rdb_version)) == \
        "ERR given type is not a function"
    if rdb_version >= 11:  # 7.0 tries to read the release candidates' format
        assert c.error("FUNCTION", "RESTORE", with_footer(b"\xf6" + body[1:], rdb_version)) == \
            "ERR Pre-GA function format not supported"
    assert c.error("FUNCTION", "RESTORE", with_footer(b"\xf5\x3f" + b"abc", rdb_version)) == \
        "ERR Failed loading library payload"
    # a library in the payload is created as FUNCTION LOAD would, with its errors
    code = b"#!lua name=x\nreturn 1"
    assert c.error("FUNCTION", "RESTORE", with_footer(b"\xf5" + rdb_string(code), rdb_version)) == \
        "ERR No functions registered"
    entry = b"\xf5" + rdb_string(fn_lib("dup", "dup", "return 1").encode())
    assert c.error("FUNCTION", "RESTORE", with_footer(entry + entry, rdb_version), "FLUSH") == \
        "ERR Library 'dup' already exists"
    assert c.call("FUNCTION", "LIST") == listing


def test_restore_payload_from_redis(r, c):
    assert c.call("FUNCTION", "RESTORE", REDIS_PAYLOAD) == b"OK"
    assert sorted(e[1] for e in c.call("FUNCTION", "LIST")) == [b"redislib", b"small"]
    assert c.call("FCALL", "hello", "0", "world") == b"hello hello hello world"
    assert c.call("FCALL", "counter", "1", "n") == 1
    entry = c.call("FUNCTION", "LIST", "LIBRARYNAME", "redislib", "WITHCODE")[0]
    functions = sorted(entry[5])
    assert functions[0] == [b"name", b"counter", b"description", b"counts", b"flags", [b"allow-oom"]]
    assert entry[7].startswith(b"#!lua name=redislib\nredis.register_function('hello'")


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def real_redis():
    """A Redis server (Debian's 7.0.15) on a free port, when one is installed."""
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.skip("redis-server not installed")
    workdir = tempfile.mkdtemp(prefix="weir-fn-redis-")
    port = free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", workdir], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=timeout(10))

    def ready():
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    try:
        wait_until(ready, msg="redis-server to answer PING")
        yield client
    finally:
        client.connection_pool.disconnect()
        proc.terminate()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def test_payloads_cross_with_real_redis(r, c, real_redis):
    code = lib("crosslib", """
redis.register_function{function_name='cross', callback=function(keys, args)
  return 'cross ' .. args[1] .. ' ' .. string.rep('x', 40)
end, description='a function that travels', flags={'no-writes'}}""")
    real_redis.function_load(code)
    # Redis -> this server
    payload = real_redis.function_dump()
    assert c.call("FUNCTION", "RESTORE", payload) == b"OK"
    assert c.call("FCALL_RO", "cross", "0", "a").startswith(b"cross a xxxx")
    # this server -> Redis. 7.0 refuses RDB version 11, which 7.2 writes: the body is the same
    # format, so it gets 7.0's version and checksum.
    ours_payload = c.call("FUNCTION", "DUMP")
    version = real_redis.info("server")["redis_version"]
    if version.startswith("7.0"):
        ours_payload = with_footer(ours_payload[:-10], 10)
    real_redis.function_flush()
    assert real_redis.function_restore(ours_payload)
    assert real_redis.fcall_ro("cross", 0, "b").startswith(b"cross b xxxx")
    theirs = real_redis.function_list(withcode=True)
    assert theirs[0][7] == code.encode()
    assert theirs[0][5] == [[b"name", b"cross", b"description", b"a function that travels",
                             b"flags", [b"no-writes"]]]


# ------------------------------------------------------------ KILL, BUSY, STATS while running


@pytest.fixture
def busy_threshold(set_config):
    set_config("busy-reply-threshold", "10")


def start_busy(server, command):
    """Runs command on its own connection in a thread; returns (thread, result list)."""
    result = []

    def run():
        client = server.client(socket_timeout=timeout(20))
        try:
            result.append(client.execute_command(*command))
        except redis.ResponseError as e:
            result.append(e)
        finally:
            client.connection_pool.disconnect()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, result


def wait_busy(c):
    def busy():
        reply = c.call("PING")
        return isinstance(reply, RespError) and str(reply).startswith("BUSY")

    wait_until(busy, msg="the server to answer BUSY")


def test_function_kill(server, r, c, busy_threshold):
    c.call("FUNCTION", "LOAD", fn_lib("test", "test", "local a = 1 while true do a = a + 1 end"))
    t, result = start_busy(server, ("FCALL", "test", "0"))
    wait_busy(c)
    assert c.error("PING") == BUSY_FUNCTION
    stats = c.call("FUNCTION", "STATS")
    assert stats[0] == b"running_script"
    running = stats[1]
    assert running[:4] == [b"name", b"test", b"command", [b"FCALL", b"test", b"0"]]
    assert running[4] == b"duration_ms" and running[5] >= 0
    assert stats[2:] == [b"engines", [b"LUA", [b"libraries_count", 1, b"functions_count", 1]]]
    # SCRIPT KILL does not kill a function
    assert c.error("SCRIPT", "KILL") == BUSY_FUNCTION
    assert c.call("FUNCTION", "KILL") == b"OK"
    t.join(timeout(10))
    assert len(result) == 1 and "Script killed by user with SCRIPT KILL..." in str(result[0])
    wait_until(lambda: c.call("PING") == b"PONG", msg="PONG after the kill")


def test_function_kill_does_not_kill_eval(server, r, c, busy_threshold):
    t, result = start_busy(server, ("EVAL", "local a = 1 while true do a = a + 1 end", "0"))
    wait_busy(c)
    assert c.error("FUNCTION", "KILL") == BUSY_EVAL
    assert c.error("FUNCTION", "STATS") == BUSY_EVAL
    assert c.call("SCRIPT", "KILL") == b"OK"
    t.join(timeout(10))
    wait_until(lambda: c.call("PING") == b"PONG", msg="PONG after the kill")


def test_function_that_wrote_is_unkillable(server, r, c, busy_threshold):
    c.call("FUNCTION", "LOAD", fn_lib("w", "wloop", """
redis.call('set', keys[1], 'x')
local deadline = tonumber(args[1])
while tonumber(redis.call('time')[1]) * 1000 + tonumber(redis.call('time')[2]) / 1000 < deadline do end
return 'done'"""))
    deadline_ms = int((time.time() + timeout(1)) * 1000)
    t, result = start_busy(server, ("FCALL", "wloop", "1", "k", str(deadline_ms)))
    wait_busy(c)
    assert c.error("FUNCTION", "KILL").startswith("UNKILLABLE Sorry the script already executed "
                                                  "write commands against the dataset.")
    t.join(timeout(10))
    assert result == [b"done"]
    assert r.get("k") == b"x"


# ------------------------------------------------------------ every thread sees the libraries


def test_libraries_are_shared_by_all_connections(server, r, rdb_version):
    clients = [server.client() for _ in range(8)]
    try:
        clients[0].function_load(fn_lib("shared", "who", "return 'v1'"))
        assert [cl.fcall("who", 0) for cl in clients] == [b"v1"] * 8
        clients[3].function_load(fn_lib("shared", "who", "return 'v2'"), replace=True)
        assert [cl.fcall("who", 0) for cl in clients] == [b"v2"] * 8
        clients[5].function_delete("shared")
        for cl in clients:
            with pytest.raises(redis.ResponseError, match="Function not found"):
                cl.fcall("who", 0)
        code = fn_lib("back", "who", "return 'v3'").encode()
        clients[6].function_restore(with_footer(b"\xf5" + rdb_string(code), rdb_version))
        assert [cl.fcall("who", 0) for cl in clients] == [b"v3"] * 8
    finally:
        for cl in clients:
            cl.connection_pool.disconnect()


def test_concurrent_loads_and_calls(server, r):
    """Loads, replaces and calls from several connections at once stay consistent."""
    errors = []
    loaded = threading.Barrier(4)

    def worker(n):
        client = server.client()
        try:
            client.function_load(fn_lib(f"w{n}", f"fw{n}", "return -1"))
            loaded.wait(timeout(10))
            for i in range(30):
                client.function_load(fn_lib(f"w{n}", f"fw{n}", f"return {i}"), replace=True)
                assert client.fcall(f"fw{n}", 0) == i
                # another worker's function, in whatever version it has now
                assert client.fcall(f"fw{(n + 1) % 4}", 0) >= -1
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            client.connection_pool.disconnect()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout(60))
    assert errors == []
    assert r.execute_command("FUNCTION", "STATS")[3] == \
        [b"LUA", [b"libraries_count", 4, b"functions_count", 4]]
