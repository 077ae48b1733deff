"""Server commands: COMMAND (COUNT INFO DOCS LIST GETKEYS), INFO, CONFIG
(GET SET RESETSTAT REWRITE), TIME, LASTSAVE, DEBUG SLEEP, shutdown on SIGTERM,
configuration file plus --directive command line."""

import fnmatch
import re
import signal
import subprocess
import time

import pytest

from conftest import WEIR_BIN, encode_command, timeout, wait_until

SYNTAX = "ERR syntax error"

# name, arity, first key, last key, step, flags, ACL categories (Redis 7.2.6)
COMMAND_TABLE = [
    ("get", 2, 1, 1, 1, "readonly fast", "@read @string @fast"),
    ("set", -3, 1, 1, 1, "write denyoom", "@write @string @slow"),
    ("setnx", 3, 1, 1, 1, "write denyoom fast", "@write @string @fast"),
    ("setex", 4, 1, 1, 1, "write denyoom", "@write @string @slow"),
    ("psetex", 4, 1, 1, 1, "write denyoom", "@write @string @slow"),
    ("getset", 3, 1, 1, 1, "write denyoom fast", "@write @string @fast"),
    ("getdel", 2, 1, 1, 1, "write fast", "@write @string @fast"),
    ("getex", -2, 1, 1, 1, "write fast", "@write @string @fast"),
    ("mget", -2, 1, -1, 1, "readonly fast", "@read @string @fast"),
    ("mset", -3, 1, -1, 2, "write denyoom", "@write @string @slow"),
    ("msetnx", -3, 1, -1, 2, "write denyoom", "@write @string @slow"),
    ("append", 3, 1, 1, 1, "write denyoom fast", "@write @string @fast"),
    ("strlen", 2, 1, 1, 1, "readonly fast", "@read @string @fast"),
    ("incr", 2, 1, 1, 1, "write denyoom fast", "@write @string @fast"),
    ("decr", 2, 1, 1, 1, "write denyoom fast", "@write @string @fast"),
    ("incrby", 3, 1, 1, 1, "write denyoom fast", "@write @string @fast"),
    ("decrby", 3, 1, 1, 1, "write denyoom fast", "@write @string @fast"),
    ("incrbyfloat", 3, 1, 1, 1, "write denyoom fast", "@write @string @fast"),
    ("setrange", 4, 1, 1, 1, "write denyoom", "@write @string @slow"),
    ("getrange", 4, 1, 1, 1, "readonly", "@read @string @slow"),
    ("substr", 4, 1, 1, 1, "readonly", "@read @string @slow"),
    ("lcs", -3, 1, 2, 1, "readonly", "@read @string @slow"),
    ("setbit", 4, 1, 1, 1, "write denyoom", "@write @bitmap @slow"),
    ("getbit", 3, 1, 1, 1, "readonly fast", "@read @bitmap @fast"),
    ("bitcount", -2, 1, 1, 1, "readonly", "@read @bitmap @slow"),
    ("bitpos", -3, 1, 1, 1, "readonly", "@read @bitmap @slow"),
    ("bitop", -4, 2, -1, 1, "write denyoom", "@write @bitmap @slow"),
    ("bitfield", -2, 1, 1, 1, "write denyoom", "@write @bitmap @slow"),
    ("bitfield_ro", -2, 1, 1, 1, "readonly fast", "@read @bitmap @fast"),
    ("del", -2, 1, -1, 1, "write", "@keyspace @write @slow"),
    ("unlink", -2, 1, -1, 1, "write fast", "@keyspace @write @fast"),
    ("exists", -2, 1, -1, 1, "readonly fast", "@keyspace @read @fast"),
    ("type", 2, 1, 1, 1, "readonly fast", "@keyspace @read @fast"),
    ("rename", 3, 1, 2, 1, "write", "@keyspace @write @slow"),
    ("renamenx", 3, 1, 2, 1, "write fast", "@keyspace @write @fast"),
    ("copy", -3, 1, 2, 1, "write denyoom", "@keyspace @write @slow"),
    ("scan", -2, 0, 0, 0, "readonly", "@keyspace @read @slow"),
    ("keys", 2, 0, 0, 0, "readonly", "@keyspace @read @slow @dangerous"),
    ("randomkey", 1, 0, 0, 0, "readonly", "@keyspace @read @slow"),
    ("dbsize", 1, 0, 0, 0, "readonly fast", "@keyspace @read @fast"),
    ("select", 2, 0, 0, 0, "loading stale fast", "@fast @connection"),
    ("swapdb", 3, 0, 0, 0, "write fast", "@keyspace @write @fast @dangerous"),
    ("move", 3, 1, 1, 1, "write fast", "@keyspace @write @fast"),
    ("flushdb", -1, 0, 0, 0, "write", "@keyspace @write @slow @dangerous"),
    ("flushall", -1, 0, 0, 0, "write", "@keyspace @write @slow @dangerous"),
    ("touch", -2, 1, -1, 1, "readonly fast", "@keyspace @read @fast"),
    ("object", -2, 0, 0, 0, "", "@slow"),
    ("expire", -3, 1, 1, 1, "write fast", "@keyspace @write @fast"),
    ("pexpire", -3, 1, 1, 1, "write fast", "@keyspace @write @fast"),
    ("expireat", -3, 1, 1, 1, "write fast", "@keyspace @write @fast"),
    ("pexpireat", -3, 1, 1, 1, "write fast", "@keyspace @write @fast"),
    ("ttl", 2, 1, 1, 1, "readonly fast", "@keyspace @read @fast"),
    ("pttl", 2, 1, 1, 1, "readonly fast", "@keyspace @read @fast"),
    ("expiretime", 2, 1, 1, 1, "readonly fast", "@keyspace @read @fast"),
    ("pexpiretime", 2, 1, 1, 1, "readonly fast", "@keyspace @read @fast"),
    ("persist", 2, 1, 1, 1, "write fast", "@keyspace @write @fast"),
    ("multi", 1, 0, 0, 0, "noscript loading stale fast allow_busy", "@fast @transaction"),
    ("exec", 1, 0, 0, 0, "noscript loading stale skip_slowlog", "@slow @transaction"),
    ("discard", 1, 0, 0, 0, "noscript loading stale fast allow_busy", "@fast @transaction"),
    ("watch", -2, 1, -1, 1, "noscript loading stale fast allow_busy", "@fast @transaction"),
    ("unwatch", 1, 0, 0, 0, "noscript loading stale fast allow_busy", "@fast @transaction"),
    ("ping", -1, 0, 0, 0, "fast", "@fast @connection"),
    ("echo", 2, 0, 0, 0, "loading stale fast", "@fast @connection"),
    ("quit", -1, 0, 0, 0, "noscript loading stale fast no_auth allow_busy", "@fast @connection"),
    ("reset", 1, 0, 0, 0, "noscript loading stale fast no_auth allow_busy", "@fast @connection"),
    ("auth", -2, 0, 0, 0, "noscript loading stale fast no_auth allow_busy", "@fast @connection"),
    ("hello", -1, 0, 0, 0, "noscript loading stale fast no_auth allow_busy", "@fast @connection"),
    ("client", -2, 0, 0, 0, "", "@slow"),
    ("command", -1, 0, 0, 0, "loading stale", "@slow @connection"),
    ("config", -2, 0, 0, 0, "", "@slow"),
    ("info", -1, 0, 0, 0, "loading stale", "@slow @dangerous"),
    ("time", 1, 0, 0, 0, "loading stale fast", "@fast"),
    ("lastsave", 1, 0, 0, 0, "loading stale fast", "@admin @fast @dangerous"),
]


def info_dict(text):
    """Parse INFO text into {field: value-string}; '# Section' lines kept
    under the key '#sections' as a list."""
    if isinstance(text, bytes):
        text = text.decode()
    out = {"#sections": []}
    for line in text.split("\r\n"):
        if not line:
            continue
        if line.startswith("# "):
            out["#sections"].append(line[2:])
            continue
        k, sep, v = line.partition(":")
        assert sep, f"malformed INFO line {line!r}"
        out[k] = v
    return out


def pairs(reply):
    assert isinstance(reply, list) and len(reply) % 2 == 0, reply
    return dict(zip(reply[::2], reply[1::2]))


# ------------------------------------------------------------ COMMAND


def test_command_count_matches_list(r, c):
    count = c.call("COMMAND", "COUNT")
    names = c.call("COMMAND", "LIST")
    # COMMAND LIST also names subcommands ("config|get"); COUNT does not
    top = [n for n in names if b"|" not in n]
    assert isinstance(count, int) and count == len(top)
    assert len(set(names)) == len(names)
    assert {b"config|get", b"client|kill", b"object|encoding", b"command|getkeys"} <= set(names)
    expected = {row[0].encode() for row in COMMAND_TABLE}
    assert expected <= set(names), sorted(expected - set(names))
    assert count >= len(COMMAND_TABLE)


def test_command_without_args_lists_every_command(r, c):
    everything = c.call("COMMAND")
    assert len(everything) == c.call("COMMAND", "COUNT")
    by_name = {entry[0]: entry for entry in everything}
    assert by_name[b"get"][1] == 2


@pytest.mark.parametrize("row", COMMAND_TABLE, ids=lambda row: row[0])
def test_command_info(r, c, row):
    name, arity, first, last, step, flags, categories = row
    (info,) = c.call("COMMAND", "INFO", name.upper())
    assert info[0] == name.encode()
    assert info[1] == arity
    assert set(info[2]) == {f.encode() for f in flags.split()}
    assert (info[3], info[4], info[5]) == (first, last, step)
    assert set(info[6]) == {x.encode() for x in categories.split()}
    assert len(info) == 10  # tips, key specs and subcommands follow


def test_command_info_multiple_and_unknown(r, c):
    reply = c.call("COMMAND", "INFO", "get", "nosuchcommand", "set")
    assert len(reply) == 3
    assert reply[0][0] == b"get" and reply[1] is None and reply[2][0] == b"set"


def test_command_info_subcommands(r, c):
    (cfg,) = c.call("COMMAND", "INFO", "config")
    subs = {s[0] for s in cfg[9]}
    assert {b"config|get", b"config|set", b"config|resetstat", b"config|rewrite"} <= subs
    (client,) = c.call("COMMAND", "INFO", "client")
    subs = {s[0]: s for s in client[9]}
    for sub in ("id", "getname", "setname", "list", "info", "kill", "pause", "unpause",
                "reply", "no-evict", "no-touch", "setinfo"):
        assert f"client|{sub}".encode() in subs, sub
    assert subs[b"client|setname"][1] == 3
    assert subs[b"client|kill"][1] == -3
    (obj,) = c.call("COMMAND", "INFO", "object|encoding")
    assert obj[0] == b"object|encoding" and obj[1] == 3 and (obj[3], obj[4], obj[5]) == (2, 2, 1)


def test_command_docs(r, c):
    reply = c.call("COMMAND", "DOCS", "get", "nosuchcommand", "set")
    docs = pairs(reply)
    assert set(docs) == {b"get", b"set"}
    get = pairs(docs[b"get"])
    assert get[b"summary"] and isinstance(get[b"summary"], bytes)
    assert get[b"since"] == b"1.0.0"
    assert get[b"group"] == b"string"
    assert get[b"complexity"] == b"O(1)"
    assert c.call("COMMAND", "DOCS", "nosuchcommand") == []


@pytest.mark.xfail(reason="Weir's command table has no argument docs yet", strict=False)
def test_command_docs_arguments(r, c):
    docs = pairs(c.call("COMMAND", "DOCS", "get", "set"))
    args = [pairs(a) for a in pairs(docs[b"get"])[b"arguments"]]
    assert args[0][b"name"] == b"key" and args[0][b"type"] == b"key"
    set_args = {pairs(a)[b"name"] for a in pairs(docs[b"set"])[b"arguments"]}
    assert {b"key", b"value"} <= set_args


@pytest.mark.parametrize(
    "cmd,group",
    [("setbit", b"bitmap"), ("expire", b"generic"), ("multi", b"transactions"),
     ("ping", b"connection"), ("info", b"server"), ("lcs", b"string"), ("scan", b"generic")],
)
def test_command_docs_groups(r, c, cmd, group):
    docs = pairs(c.call("COMMAND", "DOCS", cmd))
    assert pairs(docs[cmd.encode()])[b"group"] == group


def test_command_list_filters(r, c):
    got = set(c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "get*"))
    assert got == {b"get", b"getbit", b"getdel", b"getex", b"getrange", b"getset"}
    got = set(c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "bitmap"))
    assert got == {b"bitfield", b"bitfield_ro", b"bitcount", b"bitop", b"bitpos", b"getbit", b"setbit"}
    assert c.call("COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmodule") == []
    assert c.error("COMMAND", "LIST", "FILTERBY", "FOO", "x") == SYNTAX


@pytest.mark.parametrize(
    "args,keys",
    [
        (["GET", "a"], [b"a"]),
        (["SET", "a", "b", "EX", "10"], [b"a"]),
        (["MSET", "a", "1", "b", "2"], [b"a", b"b"]),
        (["MGET", "a", "b", "c"], [b"a", b"b", b"c"]),
        (["DEL", "x", "y"], [b"x", b"y"]),
        (["RENAME", "a", "b"], [b"a", b"b"]),
        (["COPY", "a", "b", "DB", "1"], [b"a", b"b"]),
        (["LCS", "a", "b"], [b"a", b"b"]),
        (["BITOP", "AND", "d", "a", "b"], [b"d", b"a", b"b"]),
        (["EXPIRE", "a", "10"], [b"a"]),
        (["OBJECT", "ENCODING", "k"], [b"k"]),
        (["WATCH", "a", "b"], [b"a", b"b"]),
        (["MSETNX", "a", "1", "b", "2"], [b"a", b"b"]),
        (["TOUCH", "a"], [b"a"]),
    ],
)
def test_command_getkeys(r, c, args, keys):
    assert c.call("COMMAND", "GETKEYS", *args) == keys


def test_command_getkeys_errors(r, c):
    assert c.error("COMMAND", "GETKEYS", "nosuchcommand", "a") == "ERR Invalid command specified"
    assert c.error("COMMAND", "GETKEYS", "GET") == "ERR Invalid number of arguments specified for command"
    assert c.error("COMMAND", "GETKEYS", "SET", "a") == "ERR Invalid number of arguments specified for command"
    assert c.error("COMMAND", "GETKEYS", "PING") == "ERR The command has no key arguments"
    assert c.error("COMMAND", "GETKEYS") == "ERR wrong number of arguments for 'command|getkeys' command"


def test_command_errors(r, c):
    assert c.error("COMMAND", "FOO") == "ERR unknown subcommand 'FOO'. Try COMMAND HELP."
    assert c.error("COMMAND", "COUNT", "x") == "ERR wrong number of arguments for 'command|count' command"


def test_command_via_redis_cli(r, cli):
    out = cli("COMMAND", "COUNT")
    assert out.returncode == 0
    assert int(out.stdout.strip()) >= len(COMMAND_TABLE)


# ------------------------------------------------------------ INFO


def test_info_default_sections(r, c):
    info = info_dict(c.call("INFO"))
    for section in ("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Keyspace"):
        assert section in info["#sections"], section
    assert re.fullmatch(r"\d+\.\d+\.\d+", info["redis_version"])
    major, minor, _ = (int(x) for x in info["redis_version"].split("."))
    assert (major, minor) >= (7, 2)
    assert info["redis_mode"] == "standalone"
    assert info["role"] == "master"
    assert int(info["used_memory"]) > 0
    assert int(info["connected_clients"]) >= 1
    assert info["tcp_port"] == str(r.connection_pool.connection_kwargs["port"])
    assert int(info["uptime_in_seconds"]) >= 0
    assert int(info["maxclients"]) > 0
    for field in ("total_connections_received", "total_commands_processed", "keyspace_hits",
                  "keyspace_misses", "expired_keys", "used_memory_peak", "maxmemory", "process_id"):
        assert int(info[field]) >= 0, field


def test_info_lines_are_crlf_terminated(r, c):
    raw = c.call("INFO", "server")
    assert raw.startswith(b"# Server\r\n")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_info_single_and_multiple_sections(r, c):
    info = info_dict(c.call("INFO", "server"))
    assert info["#sections"] == ["Server"]
    assert "connected_clients" not in info
    info = info_dict(c.call("INFO", "CLIENTS"))
    assert info["#sections"] == ["Clients"]
    info = info_dict(c.call("INFO", "server", "clients"))
    assert info["#sections"] == ["Server", "Clients"]
    assert c.call("INFO", "nosuchsection") == b""
    for all_name in ("all", "everything", "default"):
        assert "Keyspace" in info_dict(c.call("INFO", all_name))["#sections"]


def test_info_keyspace(r, c):
    assert c.call("INFO", "keyspace") == b"# Keyspace\r\n"
    c.call("MSET", "a", 1, "b", 2, "c", 3)
    c.call("EXPIRE", "a", 100)
    c.call("SELECT", 3)
    c.call("SET", "x", 1, "EX", 100)
    info = info_dict(c.call("INFO", "keyspace"))
    assert re.fullmatch(r"keys=3,expires=1,avg_ttl=\d+", info["db0"])
    assert re.fullmatch(r"keys=1,expires=1,avg_ttl=\d+", info["db3"])
    assert "db1" not in info
    c.call("FLUSHDB")
    assert "db3" not in info_dict(c.call("INFO", "keyspace"))


def test_info_connected_clients_tracks_connections(r, c, raw):
    def connected():
        return int(info_dict(c.call("INFO", "clients"))["connected_clients"])

    # only r's connection and c remain once earlier tests' closes are processed
    deadline = time.monotonic() + timeout(5)
    while connected() != 2:
        if time.monotonic() > deadline:
            pytest.fail("earlier connections were not released:\n" + c.call("CLIENT", "LIST").decode())
        time.sleep(0.02)
    base = connected()
    conns = [raw() for _ in range(5)]
    for conn in conns:
        conn.call("PING")
    assert connected() == base + 5
    for conn in conns:
        conn.close()
    wait_until(lambda: connected() == base, msg="connected_clients to drop back")


def test_info_stats_hits_misses(r, c):
    c.call("CONFIG", "RESETSTAT")
    c.call("SET", "k", "v")
    c.call("GET", "k")
    c.call("GET", "k")
    c.call("GET", "missing")
    info = info_dict(c.call("INFO", "stats"))
    assert info["keyspace_hits"] == "2"
    assert info["keyspace_misses"] == "1"


def test_info_used_memory_grows(r, c):
    before = int(info_dict(c.call("INFO", "memory"))["used_memory"])
    c.call("SET", "big", "x" * 5_000_000)
    after = int(info_dict(c.call("INFO", "memory"))["used_memory"])
    assert after - before >= 4_000_000
    c.call("DEL", "big")
    freed = int(info_dict(c.call("INFO", "memory"))["used_memory"])
    assert after - freed >= 4_000_000


def test_info_via_redis_py_and_cli(r, cli):
    info = r.info()
    assert isinstance(info["redis_version"], str)
    assert info["connected_clients"] >= 1
    r.set("k", "v")
    assert r.info("keyspace")["db0"]["keys"] == 1
    out = cli("INFO", "server")
    assert out.returncode == 0
    assert "redis_version:" in out.stdout


# ------------------------------------------------------------ CONFIG


def test_config_get_glob(r, c):
    got = pairs(c.call("CONFIG", "GET", "maxmemory*"))
    assert {b"maxmemory", b"maxmemory-policy"} <= set(got)
    assert all(fnmatch.fnmatchcase(k.decode(), "maxmemory*") for k in got)
    assert got[b"maxmemory-policy"] == b"noeviction"
    got = pairs(c.call("CONFIG", "GET", "max?lients"))
    assert got == {b"maxclients": got[b"maxclients"]}
    assert c.call("CONFIG", "GET", "nosuchparameter") == []
    assert c.call("CONFIG", "GET", "nosuch*") == []


def test_config_get_multiple(r, c):
    got = pairs(c.call("CONFIG", "GET", "maxclients", "port", "save", "appendonly"))
    assert set(got) == {b"maxclients", b"port", b"save", b"appendonly"}
    assert got[b"port"] == str(r.connection_pool.connection_kwargs["port"]).encode()
    assert got[b"save"] == b""
    assert got[b"appendonly"] == b"no"
    # overlapping patterns return each parameter once
    got = c.call("CONFIG", "GET", "maxclients", "maxc*")
    assert got == [b"maxclients", got[1]]


def test_config_set_and_get(r, c, set_config):
    # memory values accept units and read back in bytes
    set_config("proto-max-bulk-len", "10mb")
    assert pairs(c.call("CONFIG", "GET", "proto-max-bulk-len")) == {b"proto-max-bulk-len": b"10485760"}
    set_config("proto-max-bulk-len", "1gb")
    assert pairs(c.call("CONFIG", "GET", "proto-max-bulk-len")) == {b"proto-max-bulk-len": b"1073741824"}
    assert c.call("CONFIG", "SET", "PROTO-MAX-BULK-LEN", "2097152") == b"OK"  # names are case-insensitive
    assert pairs(c.call("CONFIG", "GET", "proto-max-bulk-len")) == {b"proto-max-bulk-len": b"2097152"}
    set_config("maxmemory-policy", "allkeys-lru")
    assert pairs(c.call("CONFIG", "GET", "maxmemory-policy")) == {b"maxmemory-policy": b"allkeys-lru"}
    assert info_dict(c.call("INFO", "memory"))["maxmemory_policy"] == "allkeys-lru"
    set_config("maxclients", "5000")
    assert pairs(c.call("CONFIG", "GET", "maxclients")) == {b"maxclients": b"5000"}
    assert info_dict(c.call("INFO", "clients"))["maxclients"] == "5000"


def test_config_set_multiple_is_atomic(r, c, set_config):
    set_config("proto-max-bulk-len", "512mb")
    set_config("maxmemory-policy", "noeviction")
    assert c.call("CONFIG", "SET", "proto-max-bulk-len", "5mb", "maxmemory-policy", "allkeys-lfu") == b"OK"
    got = pairs(c.call("CONFIG", "GET", "proto-max-bulk-len", "maxmemory-policy"))
    assert got == {b"proto-max-bulk-len": b"5242880", b"maxmemory-policy": b"allkeys-lfu"}
    err = c.error("CONFIG", "SET", "proto-max-bulk-len", "7mb", "maxmemory-policy", "bogus")
    assert err.startswith("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy')")
    got = pairs(c.call("CONFIG", "GET", "proto-max-bulk-len", "maxmemory-policy"))
    assert got == {b"proto-max-bulk-len": b"5242880", b"maxmemory-policy": b"allkeys-lfu"}


def test_config_set_errors(r, c):
    maxclients_before = pairs(c.call("CONFIG", "GET", "maxclients"))
    assert c.error("CONFIG", "SET", "nosuchparameter", "x") == \
        "ERR Unknown option or number of arguments for CONFIG SET - 'nosuchparameter'"
    assert c.error("CONFIG", "SET", "maxmemory", "abc") == \
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
    assert c.error("CONFIG", "SET", "maxclients", "x") == (
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
        "argument couldn't be parsed into an integer")
    assert c.error("CONFIG", "SET", "maxmemory-policy", "foo") == (
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be "
        "one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
        "allkeys-lfu, allkeys-random, noeviction")
    assert c.error("CONFIG", "SET", "maxclients", "100", "maxclients", "200") == \
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter"
    assert c.error("CONFIG", "SET", "databases", "4") == \
        "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"
    assert c.error("CONFIG", "SET", "maxmemory") == "ERR wrong number of arguments for 'config|set' command"
    assert c.error("CONFIG", "GET") == "ERR wrong number of arguments for 'config|get' command"
    assert c.error("CONFIG", "FOO") == "ERR unknown subcommand 'FOO'. Try CONFIG HELP."
    assert pairs(c.call("CONFIG", "GET", "maxmemory")) == {b"maxmemory": b"0"}
    assert pairs(c.call("CONFIG", "GET", "maxclients")) == maxclients_before


def test_config_via_redis_py(r, set_config):
    assert r.config_get("maxclients")["maxclients"].isdigit()
    set_config("maxmemory-policy", "volatile-ttl")
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "volatile-ttl"}


def test_config_resetstat(r, c):
    c.call("SET", "k", "v")
    for _ in range(5):
        c.call("GET", "k")
        c.call("GET", "missing")
    assert int(info_dict(c.call("INFO", "stats"))["keyspace_hits"]) >= 5
    assert c.call("CONFIG", "RESETSTAT") == b"OK"
    stats = info_dict(c.call("INFO", "stats"))
    assert stats["keyspace_hits"] == "0"
    assert stats["keyspace_misses"] == "0"
    assert int(stats["total_commands_processed"]) <= 2


def test_config_rewrite_without_file(r, c):
    assert c.error("CONFIG", "REWRITE") == "ERR The server is running without a config file"


# ------------------------------------------------------------ config file + command line


CONFIG_TEXT = """# Weir integration test config
proto-max-bulk-len 10mb
maxclients 123
databases 4
requirepass "pa ss"

maxmemory-policy allkeys-lru
"""


def test_config_file_and_command_line(server_factory, raw):
    srv = server_factory("--proto-max-bulk-len", "20mb", config_text=CONFIG_TEXT)
    c = raw(port=srv.port)
    assert c.error("PING") == "NOAUTH Authentication required."
    assert c.call("AUTH", "pa ss") == b"OK"
    got = pairs(c.call("CONFIG", "GET", "proto-max-bulk-len", "maxclients", "databases", "maxmemory-policy"))
    assert got == {
        b"proto-max-bulk-len": b"20971520",  # command line wins over the file
        b"maxclients": b"123",
        b"databases": b"4",
        b"maxmemory-policy": b"allkeys-lru",
    }
    assert c.call("SELECT", 3) == b"OK"
    assert c.error("SELECT", 4) == "ERR DB index is out of range"


def test_config_rewrite_and_restart(server_factory, raw):
    srv = server_factory(config_text=CONFIG_TEXT)
    c = raw(port=srv.port)
    c.call("AUTH", "pa ss")
    assert c.call("CONFIG", "SET", "maxclients", "77") == b"OK"
    assert c.call("CONFIG", "SET", "proto-max-bulk-len", "30mb") == b"OK"
    assert c.call("CONFIG", "REWRITE") == b"OK"
    with open(srv.config_path) as f:
        text = f.read()
    lines = text.splitlines()
    assert "# Weir integration test config" in lines  # comments survive
    assert "maxclients 77" in lines
    assert "proto-max-bulk-len 30mb" in lines
    assert "databases 4" in lines
    assert not any(line.startswith("maxclients 123") for line in lines)
    # a new server started from the rewritten file gets the rewritten values
    srv2 = server_factory(config_text=text)
    c2 = raw(port=srv2.port)
    assert c2.call("AUTH", "pa ss") == b"OK"
    got = pairs(c2.call("CONFIG", "GET", "maxclients", "proto-max-bulk-len"))
    assert got == {b"maxclients": b"77", b"proto-max-bulk-len": b"31457280"}


def test_bad_config_file_refuses_to_start(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("nosuchdirective 12\n")
    proc = subprocess.run([WEIR_BIN, str(conf), "--port", "0", "--save", "", "--appendonly", "no"],
                          cwd=tmp_path, capture_output=True, timeout=timeout(20))
    assert proc.returncode != 0


def test_bad_command_line_refuses_to_start(tmp_path):
    proc = subprocess.run([WEIR_BIN, "--port", "0", "--save", "", "--appendonly", "no", "--maxclients", "abc"],
                          cwd=tmp_path, capture_output=True, timeout=timeout(20))
    assert proc.returncode != 0


# ------------------------------------------------------------ TIME LASTSAVE DEBUG


def test_time(r, c):
    before = time.time()
    secs, micros = c.call("TIME")
    after = time.time()
    assert secs.isdigit() and micros.isdigit()
    assert 0 <= int(micros) < 1_000_000
    server_now = int(secs) + int(micros) / 1e6
    assert before - 1 <= server_now <= after + 1
    later = c.call("TIME")
    assert (int(later[0]), int(later[1])) >= (int(secs), int(micros))
    assert c.error("TIME", "x") == "ERR wrong number of arguments for 'time' command"


def test_lastsave(server_factory, raw):
    start = time.time()
    srv = server_factory()
    c = raw(port=srv.port)
    last = c.call("LASTSAVE")
    assert isinstance(last, int)
    assert start - 2 <= last <= time.time() + 1


def test_debug_disabled_by_default(r, c):
    assert c.error("DEBUG", "SLEEP", "0") == (
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.")


def test_debug_sleep(server_factory, raw):
    srv = server_factory("--enable-debug-command", "yes")
    c, other = raw(port=srv.port), raw(port=srv.port)
    assert c.call("DEBUG", "SLEEP", "0") == b"OK"
    t0 = time.monotonic()
    assert c.call("DEBUG", "SLEEP", "0.2") == b"OK"
    assert time.monotonic() - t0 >= 0.19
    assert other.call("PING") == b"PONG"


# ------------------------------------------------------------ SIGTERM


def test_sigterm_shutdown_with_clients(server_factory, raw):
    srv = server_factory()
    conns = [raw(port=srv.port) for _ in range(10)]
    for i, conn in enumerate(conns):
        conn.call("SET", f"k{i}", "v")
    conns[0].send(encode_command("SET", "partial", "x")[:10])  # half a command
    t0 = time.monotonic()
    assert srv.stop() == 0
    assert time.monotonic() - t0 < timeout(10)
    for conn in conns[1:]:
        assert conn.read_until_closed() == b""


def test_sigterm_idle_server(server_factory):
    srv = server_factory()
    assert srv.stop(signal.SIGTERM) == 0
    assert srv.proc.returncode == 0
