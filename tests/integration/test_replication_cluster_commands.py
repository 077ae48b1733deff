"""Replication, cluster and module commands on a master with no replicas and cluster mode
disabled: WAIT WAITAOF ROLE REPLICAOF SLAVEOF FAILOVER PSYNC SYNC REPLCONF, CLUSTER (every
subcommand) READONLY READWRITE ASKING, MODULE (HELP LIST LOAD LOADEX UNLOAD).

WAIT and WAITAOF block until their timeout when they ask for replicas (none ever acknowledges),
can be ended by CLIENT UNBLOCK or a disconnect, and answer at once inside MULTI and scripts.
Commands a replica would send, and REPLICAOF to a master, are refused with an error on Weir
(which has no replication yet); Redis would start replicating, so those checks are Weir's only.
Rows of COMMAND INFO and COMMAND DOCS are Redis 7.2.6's (its src/commands/*.json); the file
passes against redis-server 7.2.6 built from source (WEIR_BIN=.../redis-server).
"""

import time

import pytest
import redis

from conftest import IS_REDIS, IS_WEIR, RespError, encode_command, timeout, wait_until

CLUSTER_DISABLED = "ERR This instance has cluster support disabled"
MODULE_NOT_ALLOWED = (
    "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", "
    "you can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.")
NOT_INTEGER = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def blocked_clients(c):
    for line in c.call("INFO", "clients").decode().splitlines():
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    raise AssertionError("no blocked_clients in INFO clients")


def wait_blocked(c, n):
    wait_until(lambda: blocked_clients(c) == n, msg=f"{n} blocked clients")


def commandstats(c, name):
    for line in c.call("INFO", "commandstats").decode().splitlines():
        if line.startswith(f"cmdstat_{name}:"):
            return dict(kv.split("=") for kv in line.split(":", 1)[1].split(","))
    return None


@pytest.fixture
def other(r, raw):
    """A second connection, for CLIENT UNBLOCK and INFO while the first one waits."""
    return raw()


# ------------------------------------------------------------------ WAIT


def test_wait_answers_at_once_when_no_replica_is_asked_for(c):
    assert c.call("WAIT", 0, 0) == 0
    assert c.call("WAIT", 0, 100) == 0
    assert c.call("WAIT", -5, 0) == 0
    c.call("SET", "k", "v")
    assert c.call("WAIT", 0, 0) == 0


def test_wait_errors(c):
    assert c.error("WAIT", "x", 0) == NOT_INTEGER
    assert c.error("WAIT", "1.5", 0) == NOT_INTEGER
    assert c.error("WAIT", "99999999999999999999", 0) == NOT_INTEGER
    assert c.error("WAIT", 1, "x") == "ERR timeout is not an integer or out of range"
    assert c.error("WAIT", 1, "1.5") == "ERR timeout is not an integer or out of range"
    assert c.error("WAIT", 1, -1) == "ERR timeout is negative"
    # 7.2 checks that now + timeout does not overflow.
    assert c.error("WAIT", 1, 2**63 - 1) == "ERR timeout is out of range"
    assert c.error("WAIT", 1) == arity("wait")
    assert c.error("WAIT", 1, 0, 0) == arity("wait")
    # The numreplicas error comes first.
    assert c.error("WAIT", "x", -1) == NOT_INTEGER


def test_wait_blocks_until_its_timeout(c, other):
    t0 = time.monotonic()
    assert c.call("WAIT", 1, 300) == 0
    elapsed = time.monotonic() - t0
    assert 0.29 <= elapsed < timeout(3)
    # While it waits the client is blocked, then it is not.
    c.send_command("WAIT", 3, 400)
    wait_blocked(other, 1)
    assert c.read() == 0
    wait_blocked(other, 0)
    assert c.call("PING") == b"PONG"


def test_wait_is_counted_once_when_it_ends(c, other):
    other.call("CONFIG", "RESETSTAT")
    assert c.call("WAIT", 1, 50) == 0
    stats = commandstats(other, "wait")
    assert stats["calls"] == "1"
    assert stats["failed_calls"] == "0"


def test_wait_zero_timeout_blocks_until_client_unblock(c, other):
    cid = c.call("CLIENT", "ID")
    c.send_command("WAIT", 1, 0)
    wait_blocked(other, 1)
    time.sleep(0.2)
    assert blocked_clients(other) == 1  # still waiting: 0 is forever
    assert b"flags=b" in other.call("CLIENT", "LIST", "ID", cid)
    assert other.call("CLIENT", "UNBLOCK", cid) == 1
    assert c.read() == 0  # as on timeout: the replicas that acknowledged
    assert other.call("CLIENT", "UNBLOCK", cid) == 0
    wait_blocked(other, 0)
    assert c.call("PING") == b"PONG"


def test_wait_client_unblock_timeout_and_error(c, other):
    cid = c.call("CLIENT", "ID")
    c.send_command("WAIT", 2, 100000)
    wait_blocked(other, 1)
    assert other.call("CLIENT", "UNBLOCK", cid, "TIMEOUT") == 1
    assert c.read() == 0
    c.send_command("WAIT", 2, 0)
    wait_blocked(other, 1)
    assert other.call("CLIENT", "UNBLOCK", cid, "ERROR") == 1
    reply = c.read()
    assert isinstance(reply, RespError)
    assert str(reply) == "UNBLOCKED client unblocked via CLIENT UNBLOCK"
    assert c.call("PING") == b"PONG"


def test_wait_ends_on_disconnect(raw, other):
    w = raw()
    w.send_command("WAIT", 1, 0)
    wait_blocked(other, 1)
    w.close()
    wait_blocked(other, 0)
    assert other.call("PING") == b"PONG"


def test_wait_pipelined_commands_run_after_it(c):
    c.send(encode_command("WAIT", 1, 100) + encode_command("SET", "k", "v") +
           encode_command("GET", "k"))
    assert c.read() == 0
    assert c.read() == b"OK"
    assert c.read() == b"v"


def test_wait_inside_multi_does_not_block(c):
    assert c.call("MULTI") == b"OK"
    assert c.call("SET", "k", "v") == b"QUEUED"
    assert c.call("WAIT", 1, 0) == b"QUEUED"
    assert c.call("WAIT", 5, 100000) == b"QUEUED"
    t0 = time.monotonic()
    assert c.call("EXEC") == [b"OK", 0, 0]
    assert time.monotonic() - t0 < timeout(1)


def test_wait_inside_scripts_does_not_block(c):
    t0 = time.monotonic()
    assert c.call("EVAL", "return redis.call('wait', 1, 0)", 0) == 0
    assert c.call("EVAL", "return redis.pcall('wait', '1', '0')", 0) == 0
    assert c.call("EVAL", "return redis.call('wait', 0, 0)", 0) == 0
    assert time.monotonic() - t0 < timeout(1)
    # A parse error inside the script is the script's error.
    err = c.error("EVAL", "return redis.call('wait', 'x', 0)", 0)
    assert err.startswith("ERR value is not an integer or out of range")


def test_wait_in_function(c):
    c.call("FUNCTION", "LOAD", "#!lua name=waitlib\n"
           "redis.register_function('w', function() return redis.call('wait', 1, 0) end)")
    try:
        assert c.call("FCALL", "w", 0) == 0
    finally:
        c.call("FUNCTION", "DELETE", "waitlib")


def test_wait_resp3(c):
    c.call("HELLO", 3)
    assert c.call("WAIT", 1, 20) == 0
    assert c.call("WAIT", 0, 0) == 0


def test_wait_with_redis_py(r):
    assert r.wait(0, 0) == 0
    assert r.wait(1, 30) == 0


# ------------------------------------------------------------------ WAITAOF


def test_waitaof_answers_at_once_without_replicas_asked_for(c):
    assert c.call("WAITAOF", 0, 0, 0) == [0, 0]
    assert c.call("WAITAOF", 0, 0, 100) == [0, 0]


def test_waitaof_numlocal_needs_appendonly(c):
    assert c.call("CONFIG", "GET", "appendonly") == [b"appendonly", b"no"]
    assert c.error("WAITAOF", 1, 0, 0) == (
        "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.")
    assert c.error("WAITAOF", 1, 1, 100) == (
        "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.")


def test_waitaof_errors(c):
    assert c.error("WAITAOF", 2, 0, 0) == "ERR value is out of range, value must between 0 and 1"
    assert c.error("WAITAOF", -1, 0, 0) == "ERR value is out of range, value must between 0 and 1"
    assert c.error("WAITAOF", "x", 0, 0) == NOT_INTEGER
    assert c.error("WAITAOF", 0, -1, 0) == "ERR value is out of range, must be positive"
    assert c.error("WAITAOF", 0, "x", 0) == "ERR value is out of range, must be positive"
    assert c.error("WAITAOF", 0, 0, -1) == "ERR timeout is negative"
    assert c.error("WAITAOF", 0, 0, "x") == "ERR timeout is not an integer or out of range"
    assert c.error("WAITAOF", 0, 0) == arity("waitaof")
    # Arguments are checked in order, before appendonly.
    assert c.error("WAITAOF", 1, -1, 0) == "ERR value is out of range, must be positive"
    assert c.error("WAITAOF", 1, 0, -1) == "ERR timeout is negative"


def test_waitaof_blocks_until_its_timeout(c, other):
    t0 = time.monotonic()
    assert c.call("WAITAOF", 0, 1, 250) == [0, 0]
    assert 0.24 <= time.monotonic() - t0 < timeout(3)
    cid = c.call("CLIENT", "ID")
    c.send_command("WAITAOF", 0, 2, 0)
    wait_blocked(other, 1)
    assert other.call("CLIENT", "UNBLOCK", cid) == 1
    assert c.read() == [0, 0]
    assert c.call("PING") == b"PONG"


def test_waitaof_inside_multi_and_scripts(c):
    c.call("MULTI")
    assert c.call("WAITAOF", 0, 3, 0) == b"QUEUED"
    assert c.call("EXEC") == [[0, 0]]
    err = c.error("EVAL", "return redis.call('waitaof', 0, 1, 0)", 0)
    assert err.startswith("ERR This Redis command is not allowed from script")


# ------------------------------------------------------------------ ROLE, REPLICAOF, FAILOVER


def assert_master(role):
    """A master without replicas. Its offset is 0 on Weir; Redis 7.2 adds 1 to it each time a
    WAIT or WAITAOF that blocks asks the (absent) replicas for acknowledgements."""
    assert role[0] == b"master"
    assert isinstance(role[1], int)
    assert role[2] == []
    if IS_WEIR:
        assert role[1] == 0


def test_role(c):
    assert_master(c.call("ROLE"))
    assert c.error("ROLE", "x") == arity("role")
    c.call("HELLO", 3)
    assert_master(c.call("ROLE"))
    if IS_WEIR:
        assert c.call_raw("ROLE") == b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"


def test_role_with_redis_py(r):
    assert_master(r.role())


def test_role_not_from_scripts(c):
    err = c.error("EVAL", "return redis.call('role')", 0)
    assert err.startswith("ERR This Redis command is not allowed from script")


@pytest.mark.parametrize("cmd", ["REPLICAOF", "SLAVEOF"])
def test_replicaof_no_one(c, cmd):
    assert c.call(cmd, "NO", "ONE") == b"OK"
    assert c.call(cmd, "no", "one") == b"OK"
    assert_master(c.call("ROLE"))
    assert c.error(cmd, "NO") == arity(cmd.lower())
    assert c.error(cmd, "NO", "ONE", "x") == arity(cmd.lower())


@pytest.mark.parametrize("cmd", ["REPLICAOF", "SLAVEOF"])
def test_replicaof_port_is_checked(c, cmd):
    for port in ("x", "-1", "65536", "1.5", "99999999999999999999"):
        assert c.error(cmd, "127.0.0.1", port) == "ERR Invalid master port"


@pytest.mark.skipif(IS_REDIS, reason="Redis would become a replica")
@pytest.mark.parametrize("cmd", ["REPLICAOF", "SLAVEOF"])
def test_replicaof_a_master_is_refused(c, cmd):
    c.call("SET", "k", "v")
    err = c.error(cmd, "127.0.0.1", 6379)
    assert err.startswith("ERR replication is not supported yet")
    # "NO" with a port is a host named "no".
    assert c.error(cmd, "no", 6379).startswith("ERR replication is not supported yet")
    # Nothing changed: still a writable master, the connection usable.
    assert_master(c.call("ROLE"))
    assert c.call("SET", "k", "w") == b"OK"
    assert c.call("GET", "k") == b"w"


def test_replicaof_not_from_scripts(c):
    err = c.error("EVAL", "return redis.call('replicaof', 'no', 'one')", 0)
    assert err.startswith("ERR This Redis command is not allowed from script")


def test_failover_without_replicas(c):
    no_replicas = "ERR FAILOVER requires connected replicas."
    assert c.error("FAILOVER") == no_replicas
    assert c.error("FAILOVER", "TIMEOUT", 100) == no_replicas
    assert c.error("FAILOVER", "TO", "127.0.0.1", 6380) == no_replicas
    assert c.error("FAILOVER", "to", "h", 1, "force", "timeout", 5) == no_replicas
    assert c.error("FAILOVER", "FORCE") == no_replicas


def test_failover_abort(c):
    assert c.error("FAILOVER", "ABORT") == "ERR No failover in progress."
    assert c.error("FAILOVER", "abort") == "ERR No failover in progress."
    # ABORT with anything else is not an option.
    assert c.error("FAILOVER", "ABORT", "TIMEOUT", 5) == SYNTAX
    assert c.error("FAILOVER", "TIMEOUT", 5, "ABORT") == SYNTAX


def test_failover_option_errors(c):
    assert c.error("FAILOVER", "TIMEOUT", 0) == "ERR FAILOVER timeout must be greater than 0"
    assert c.error("FAILOVER", "TIMEOUT", -3) == "ERR FAILOVER timeout must be greater than 0"
    assert c.error("FAILOVER", "TIMEOUT", "x") == NOT_INTEGER
    assert c.error("FAILOVER", "TIMEOUT") == SYNTAX
    assert c.error("FAILOVER", "TIMEOUT", 5, "TIMEOUT", 6) == SYNTAX
    assert c.error("FAILOVER", "TO", "h") == SYNTAX
    assert c.error("FAILOVER", "TO", "h", "port") == NOT_INTEGER
    assert c.error("FAILOVER", "TO", "h", 1, "TO", "h", 2) == SYNTAX
    assert c.error("FAILOVER", "FORCE", "FORCE") == SYNTAX
    assert c.error("FAILOVER", "bogus") == SYNTAX


# ------------------------------------------------------------------ PSYNC, SYNC, REPLCONF


@pytest.mark.skipif(IS_REDIS, reason="Redis would start a full synchronisation")
@pytest.mark.parametrize("args", [("SYNC",), ("PSYNC", "?", -1), ("PSYNC", "a" * 40, 100)])
def test_sync_is_refused_and_the_connection_stays_usable(c, args):
    err = c.error(*args)
    assert err == "ERR replication is not supported yet: this server cannot serve replicas"
    assert c.call("SET", "k", "v") == b"OK"
    assert c.call("GET", "k") == b"v"
    assert_master(c.call("ROLE"))


def test_psync_failover_to_a_master(c):
    assert c.error("PSYNC", "replid", 0, "FAILOVER") == (
        "ERR PSYNC FAILOVER can't be sent to a master.")
    assert c.error("PSYNC", "x") == arity("psync")
    assert c.error("SYNC", "x") == arity("sync")


def test_sync_and_psync_not_in_multi(c):
    c.call("MULTI")
    assert c.error("SYNC") == "ERR Command not allowed inside a transaction"
    assert c.error("PSYNC", "?", -1) == "ERR Command not allowed inside a transaction"
    assert c.error("EXEC") == "EXECABORT Transaction discarded because of previous errors."
    assert c.call("PING") == b"PONG"


def test_replconf(c):
    assert c.error("REPLCONF", "listening-port") == SYNTAX
    assert c.error("REPLCONF", "a", "b", "c") == SYNTAX
    if IS_WEIR:
        refused = "ERR replication is not supported yet: this server cannot serve replicas"
        assert c.error("REPLCONF", "listening-port", 6380) == refused
        assert c.error("REPLCONF", "capa", "eof", "capa", "psync2") == refused
        assert c.call("PING") == b"PONG"


def test_replication_commands_not_from_scripts(c):
    for cmd in ("sync", "replconf", "failover"):
        err = c.error("EVAL", f"return redis.call('{cmd}')", 0)
        assert err.startswith("ERR This Redis command is not allowed from script"), cmd


# ------------------------------------------------------------------ CLUSTER, READONLY...

# Every CLUSTER subcommand of 7.2 with arguments that fit its arity.
CLUSTER_CALLS = [
    ("ADDSLOTS", 1), ("ADDSLOTSRANGE", 1, 2), ("BUMPEPOCH",), ("COUNT-FAILURE-REPORTS", "id"),
    ("COUNTKEYSINSLOT", 1), ("DELSLOTS", 1), ("DELSLOTSRANGE", 1, 2), ("FAILOVER",),
    ("FAILOVER", "FORCE"), ("FLUSHSLOTS",), ("FORGET", "id"), ("GETKEYSINSLOT", 1, 1), ("HELP",),
    ("INFO",), ("KEYSLOT", "k"), ("LINKS",), ("MEET", "127.0.0.1", 7000), ("MYID",),
    ("MYSHARDID",), ("NODES",), ("REPLICAS", "id"), ("REPLICATE", "id"), ("RESET",),
    ("RESET", "HARD"), ("SAVECONFIG",), ("SET-CONFIG-EPOCH", 1), ("SETSLOT", 1, "STABLE"),
    ("SHARDS",), ("SLAVES", "id"), ("SLOTS",),
]


@pytest.mark.parametrize("args", CLUSTER_CALLS, ids=lambda a: " ".join(map(str, a)))
def test_cluster_subcommands_answer_disabled(c, args):
    assert c.error("CLUSTER", *args) == CLUSTER_DISABLED
    assert c.error("cluster", args[0].lower(), *args[1:]) == CLUSTER_DISABLED


def test_cluster_unknown_subcommand_and_arity(c):
    assert c.error("CLUSTER") == arity("cluster")
    assert c.error("CLUSTER", "foo") == "ERR unknown subcommand 'foo'. Try CLUSTER HELP."
    assert c.error("CLUSTER", "INFO", "x") == arity("cluster|info")
    assert c.error("CLUSTER", "HELP", "x") == arity("cluster|help")
    assert c.error("CLUSTER", "KEYSLOT") == arity("cluster|keyslot")
    assert c.error("CLUSTER", "SETSLOT", 1) == arity("cluster|setslot")
    assert c.error("CLUSTER", "GETKEYSINSLOT", 1) == arity("cluster|getkeysinslot")


def test_cluster_with_redis_py(r):
    with pytest.raises(redis.ResponseError, match="cluster support disabled"):
        r.execute_command("CLUSTER", "INFO")


@pytest.mark.parametrize("cmd", ["READONLY", "READWRITE", "ASKING"])
def test_readonly_readwrite_asking(c, cmd):
    assert c.error(cmd) == CLUSTER_DISABLED
    assert c.error(cmd, "x") == arity(cmd.lower())
    assert c.call("SET", "k", "v") == b"OK"  # nothing changed for the connection


def test_cluster_from_scripts(c):
    # CLUSTER RESET is noscript; the others answer their error inside the script.
    err = c.error("EVAL", "redis.call('cluster', 'reset', 'hard')", 0)
    assert err.startswith("ERR This Redis command is not allowed from script")
    err = c.error("EVAL", "return redis.call('cluster', 'info')", 0)
    assert err.startswith(CLUSTER_DISABLED)
    err = c.error("EVAL", "return redis.call('cluster', 'nosuch')", 0)
    assert err.startswith("ERR Unknown Redis command called from script")


def test_cluster_inside_multi(c):
    c.call("MULTI")
    assert c.call("CLUSTER", "INFO") == b"QUEUED"
    assert c.call("ASKING") == b"QUEUED"
    replies = c.call("EXEC")
    assert [str(e) for e in replies] == [CLUSTER_DISABLED, CLUSTER_DISABLED]


# ------------------------------------------------------------------ MODULE


def test_module_list_is_empty(c):
    assert c.call("MODULE", "LIST") == []
    assert c.error("MODULE", "LIST", "x") == arity("module|list")
    c.call("HELLO", 3)
    assert c.call("MODULE", "LIST") == []


def test_module_help(c):
    lines = c.call("MODULE", "HELP")
    assert lines[0] == b"MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[1:3] == [b"LIST", b"    Return a list of loaded modules."]
    assert lines[-2:] == [b"HELP", b"    Print this help."]
    assert len(lines) == 11
    assert c.call("module", "help")[0].startswith(b"MODULE ")


def test_module_arity_and_unknown(c):
    assert c.error("MODULE") == arity("module")
    assert c.error("MODULE", "foo") == "ERR unknown subcommand 'foo'. Try MODULE HELP."
    assert c.error("MODULE", "LOAD") == arity("module|load")
    assert c.error("MODULE", "LOADEX") == arity("module|loadex")
    assert c.error("MODULE", "UNLOAD") == arity("module|unload")
    assert c.error("MODULE", "UNLOAD", "a", "b") == arity("module|unload")


@pytest.mark.parametrize("args", [("LOAD", "/tmp/nosuch.so"), ("LOAD", "/tmp/nosuch.so", "a"),
                                  ("LOADEX", "/tmp/nosuch.so", "ARGS", "a"),
                                  ("UNLOAD", "nosuch")])
def test_module_load_is_protected(c, args):
    assert c.error("MODULE", *args) == MODULE_NOT_ALLOWED


def test_module_protected_is_a_rejection(c):
    c.call("CONFIG", "RESETSTAT")
    c.error("MODULE", "LOAD", "/tmp/nosuch.so")
    stats = commandstats(c, "module|load")
    assert (stats["calls"], stats["rejected_calls"], stats["failed_calls"]) == ("0", "1", "0")
    # Rejected inside MULTI, so EXEC aborts.
    c.call("MULTI")
    assert c.error("MODULE", "UNLOAD", "x") == MODULE_NOT_ALLOWED
    assert c.error("EXEC") == "EXECABORT Transaction discarded because of previous errors."


def test_module_load_fails_when_enabled(server_factory, raw):
    srv = server_factory("--enable-module-command", "yes")
    c = raw(port=srv.port)
    failed = "ERR Error loading the extension. Please check the server logs."
    assert c.error("MODULE", "LOAD", "/nonexistent/module.so") == failed
    assert c.error("MODULE", "LOAD", "/nonexistent/module.so", "arg1", "arg2") == failed
    assert c.error("MODULE", "LOADEX", "/nonexistent/module.so") == failed
    assert c.error("MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a", "b", "ARGS",
                   "x") == failed
    assert c.error("MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a") == failed
    assert c.error("MODULE", "UNLOAD", "mymodule") == (
        "ERR Error unloading module: no such module with that name")
    assert c.call("MODULE", "LIST") == []
    if IS_WEIR:
        assert "Module /nonexistent/module.so failed to load" in srv.log()


def test_module_not_from_scripts(c):
    for args in ("'module', 'list'", "'module', 'load', 'x'"):
        err = c.error("EVAL", f"return redis.call({args})", 0)
        assert err.startswith("ERR This Redis command is not allowed from script"), args
    assert c.call("EVAL", "return redis.call('module', 'help')[2]", 0) == b"LIST"


# ------------------------------------------------------------------ COMMAND INFO / DOCS

ADMIN_ACL = ["@admin", "@slow", "@dangerous"]
POLICY_TIPS = [b"request_policy:all_shards", b"response_policy:agg_min"]
# name: (arity, flags, acl, tips); none of them takes keys (0 0 0, no key specs).
EXPECTED_INFO = {
    "wait": (3, [], ["@slow", "@connection"], POLICY_TIPS),
    "waitaof": (4, ["noscript"], ["@slow", "@connection"], POLICY_TIPS),
    "role": (1, ["noscript", "loading", "stale", "fast"], ["@admin", "@fast", "@dangerous"], []),
    "replicaof": (3, ["admin", "noscript", "stale", "no_async_loading"], ADMIN_ACL, []),
    "slaveof": (3, ["admin", "noscript", "stale", "no_async_loading"], ADMIN_ACL, []),
    "failover": (-1, ["admin", "noscript", "stale"], ADMIN_ACL, []),
    "psync": (-3, ["admin", "noscript", "no_async_loading", "no_multi"], ADMIN_ACL, []),
    "sync": (1, ["admin", "noscript", "no_async_loading", "no_multi"], ADMIN_ACL, []),
    "replconf": (-1, ["admin", "noscript", "loading", "stale", "allow_busy"], ADMIN_ACL, []),
    "readonly": (1, ["loading", "stale", "fast"], ["@fast", "@connection"], []),
    "readwrite": (1, ["loading", "stale", "fast"], ["@fast", "@connection"], []),
    "asking": (1, ["fast"], ["@fast", "@connection"], []),
    "cluster": (-2, [], ["@slow"], []),
    "module": (-2, [], ["@slow"], []),
    "cluster|info": (2, ["stale"], ["@slow"], [b"nondeterministic_output"]),
    "cluster|help": (2, ["loading", "stale"], ["@slow"], []),
    "cluster|reset": (-2, ["admin", "noscript", "stale"], ADMIN_ACL, []),
    "cluster|setslot": (-4, ["admin", "stale", "no_async_loading"], ADMIN_ACL, []),
    "cluster|myshardid": (2, ["stale"], ["@slow"], [b"nondeterministic_output"]),
    "cluster|slaves": (3, ["admin", "stale"], ADMIN_ACL, [b"nondeterministic_output"]),
    "module|help": (2, ["loading", "stale"], ["@slow"], []),
    "module|list": (2, ["admin", "noscript"], ADMIN_ACL, [b"nondeterministic_output_order"]),
    "module|load": (-3, ["admin", "noscript", "no_async_loading"], ADMIN_ACL, []),
    "module|loadex": (-3, ["admin", "noscript", "no_async_loading"], ADMIN_ACL, []),
    "module|unload": (3, ["admin", "noscript", "no_async_loading"], ADMIN_ACL, []),
}


def text(x):
    if isinstance(x, (list, set)):
        return [text(i) for i in x]
    return x.decode()


@pytest.mark.parametrize("name", sorted(EXPECTED_INFO))
def test_command_info(c, name):
    arity_, flags, acl, tips = EXPECTED_INFO[name]
    row = c.call("COMMAND", "INFO", name)[0]
    assert text(row[0]) == name
    assert row[1] == arity_
    assert text(row[2]) == flags
    assert row[3:6] == [0, 0, 0]
    assert text(row[6]) == acl
    assert row[7] == tips
    assert row[8] == []


def test_container_subcommands(c):
    cluster = c.call("COMMAND", "INFO", "cluster")[0]
    names = sorted(text(sub[0]) for sub in cluster[9])
    assert names == sorted("cluster|" + a[0].lower() for a in CLUSTER_CALLS
                           if a not in (("FAILOVER", "FORCE"), ("RESET", "HARD")))
    assert len(names) == 28
    module = c.call("COMMAND", "INFO", "module")[0]
    assert sorted(text(sub[0]) for sub in module[9]) == [
        "module|help", "module|list", "module|load", "module|loadex", "module|unload"]
    listed = c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "cl*help")
    assert b"cluster|help" in listed and b"client|help" in listed


def as_dict(x):
    return x if isinstance(x, dict) else dict(zip(x[0::2], x[1::2]))


EXPECTED_DOCS = {
    # name: (summary, since, group, complexity)
    "wait": ("Blocks until the asynchronous replication of all preceding write commands sent by "
             "the connection is completed.", "3.0.0", "generic", "O(1)"),
    "waitaof": ("Blocks until all of the preceding write commands sent by the connection are "
                "written to the append-only file of the master and/or replicas.", "7.2.0",
                "generic", "O(1)"),
    "role": ("Returns the replication role.", "2.8.12", "server", "O(1)"),
    "replicaof": ("Configures a server as replica of another, or promotes it to a master.",
                  "5.0.0", "server", "O(1)"),
    "slaveof": ("Sets a Redis server as a replica of another, or promotes it to being a master.",
                "1.0.0", "server", "O(1)"),
    "failover": ("Starts a coordinated failover from a server to one of its replicas.", "6.2.0",
                 "server", "O(1)"),
    "psync": ("An internal command used in replication.", "2.8.0", "server", None),
    "sync": ("An internal command used in replication.", "1.0.0", "server", None),
    "replconf": ("An internal command for configuring the replication stream.", "3.0.0",
                 "server", "O(1)"),
    "readonly": ("Enables read-only queries for a connection to a Redis Cluster replica node.",
                 "3.0.0", "cluster", "O(1)"),
    "readwrite": ("Enables read-write queries for a connection to a Reids Cluster replica node.",
                  "3.0.0", "cluster", "O(1)"),
    "asking": ("Signals that a cluster client is following an -ASK redirect.", "3.0.0",
               "cluster", "O(1)"),
    "cluster": ("A container for Redis Cluster commands.", "3.0.0", "cluster",
                "Depends on subcommand."),
    "module": ("A container for module commands.", "4.0.0", "server", "Depends on subcommand."),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_DOCS))
def test_command_docs(c, name):
    summary, since, group, complexity = EXPECTED_DOCS[name]
    docs = as_dict(as_dict(c.call("COMMAND", "DOCS", name))[name.encode()])
    assert docs[b"summary"] == summary.encode()
    assert docs[b"since"] == since.encode()
    assert docs[b"group"] == group.encode()
    assert docs.get(b"complexity") == (complexity.encode() if complexity else None)


def test_command_docs_subcommands(c):
    docs = as_dict(as_dict(c.call("COMMAND", "DOCS", "cluster"))[b"cluster"])
    subs = as_dict(docs[b"subcommands"])
    assert len(subs) == 28
    myshardid = as_dict(subs[b"cluster|myshardid"])
    assert myshardid[b"summary"] == b"Returns the shard ID of a node."
    assert myshardid[b"since"] == b"7.2.0"
    assert myshardid[b"group"] == b"cluster"
    docs = as_dict(as_dict(c.call("COMMAND", "DOCS", "module|loadex"))[b"module|loadex"])
    assert docs[b"summary"] == b"Loads a module using extended parameters."
    assert docs[b"since"] == b"7.0.0"


def test_command_getkeys_has_no_keys(c):
    assert c.error("COMMAND", "GETKEYS", "WAIT", 1, 0) == (
        "ERR The command has no key arguments")
    assert c.error("COMMAND", "GETKEYS", "CLUSTER", "INFO") == (
        "ERR The command has no key arguments")
