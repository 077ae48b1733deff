"""Lua scripting: EVAL / EVALSHA / EVAL_RO / EVALSHA_RO / SCRIPT, the Lua environment, the
RESP <-> Lua conversions, atomicity over undeclared keys on several shards, busy scripts and
SCRIPT KILL, blocking commands inside scripts."""

import hashlib
import subprocess
import threading
import time

import pytest
import redis

from conftest import RespError, redis_cli_path, wait_until


def sha1(body):
    return hashlib.sha1(body.encode()).hexdigest()


NOSCRIPT = RespError("NOSCRIPT No matching script. Please use EVAL.")


# ------------------------------------------------------------ commands


def test_eval_keys_argv_and_reply_types(c):
    assert c.call("EVAL", "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", 2, "a", "b", "c", "d") == [
        b"a", b"b", b"c", b"d"]
    assert c.call("EVAL", "return 100.5", 0) == 100
    assert c.call("EVAL", "return 'hello'", 0) == b"hello"
    assert c.call("EVAL", "return true", 0) == 1
    assert c.call("EVAL", "return false", 0) is None
    assert c.call("EVAL", "return {ok='fine'}", 0) == b"fine"
    assert c.call("EVAL", "return {err='ERR this is an error'}", 0) == RespError(
        "ERR this is an error")
    assert c.call("EVAL", "return {1,2,3,'ciao',{1,2}}", 0) == [1, 2, 3, b"ciao", [1, 2]]
    # An array ends at its first nil.
    assert c.call("EVAL", "return {1,2,nil,4}", 0) == [1, 2]
    assert c.call("EVAL", "return redis.error_reply('My Error')", 0) == RespError("My Error")
    assert c.call("EVAL", "return redis.status_reply('FINE')", 0) == b"FINE"


def test_numkeys_errors(c):
    assert c.call("EVAL", "return 1", 2, "a") == RespError(
        "ERR Number of keys can't be greater than number of args")
    assert c.call("EVAL", "return 1", -1) == RespError("ERR Number of keys can't be negative")
    assert c.call("EVAL", "return 1", "x") == RespError(
        "ERR value is not an integer or out of range")
    assert c.call("EVAL", "return 1") == RespError(
        "ERR wrong number of arguments for 'eval' command")


def test_redis_to_lua_conversions(c):
    c.call("SET", "s", "x")
    c.call("RPUSH", "l", "a", "b")
    assert c.call("EVAL", "return type(redis.call('incr', KEYS[1]))", 1, "n") == b"number"
    assert c.call("EVAL", "return redis.call('get', KEYS[1])", 1, "s") == b"x"
    assert c.call("EVAL", "return redis.call('lrange', KEYS[1], 0, -1)", 1, "l") == [b"a", b"b"]
    assert c.call("EVAL", "return type(redis.call('get', 'missing'))", 0) == b"boolean"
    assert c.call("EVAL", "return redis.call('set', KEYS[1], 'y')", 1, "s") == b"OK"
    assert c.call("EVAL", "local t = redis.pcall('incr', KEYS[1]); return t['err']", 1,
                  "s") == b"ERR value is not an integer or out of range"
    # RESP3 inside the script: a map and a double.
    c.call("HSET", "h", "f", "v")
    assert c.call("EVAL", "redis.setresp(3); return redis.call('hgetall', KEYS[1])", 1,
                  "h") == [b"f", b"v"]
    assert c.call("EVAL", "redis.setresp(3); return redis.call('hgetall', KEYS[1])['map']['f']",
                  1, "h") == b"v"


def test_call_errors_have_redis_texts(c):
    r = c.call("EVAL", "return redis.call('nosuchcommand')", 0)
    assert isinstance(r, RespError) and str(r).startswith(
        "ERR Unknown Redis command called from script")
    r = c.call("EVAL", "return redis.call('get')", 0)
    assert "Wrong number of args calling Redis command from script" in str(r)
    r = c.call("EVAL", "return redis.call('multi')", 0)
    assert "This Redis command is not allowed from script" in str(r)
    r = c.call("EVAL", "return redis.call('set', {}, 1)", 0)
    assert "Lua redis lib command arguments must be strings or integers" in str(r)
    r = c.call("EVAL", "return redis.call()", 0)
    assert "Please specify at least one argument for this redis lib call" in str(r)
    # A script error names the script and the line.
    body = "return redis.call('incr', 'notanumber')"
    c.call("SET", "notanumber", "x")
    r = c.call("EVAL", body, 0)
    assert str(r) == (f"ERR value is not an integer or out of range script: {sha1(body)}, "
                      "on @user_script:1.")


def test_sandbox(c):
    r = c.call("EVAL", "return a", 0)
    assert "Script attempted to access nonexistent global variable 'a'" in str(r)
    r = c.call("EVAL", "a = 10", 0)
    assert "Attempt to modify a readonly table" in str(r)
    r = c.call("EVAL", "redis.call = function() return 1 end", 0)
    assert "Attempt to modify a readonly table" in str(r)
    for name in ("os", "io", "loadfile", "dofile", "require", "print"):
        r = c.call("EVAL", f"return {name}", 0)
        assert "nonexistent global variable" in str(r), name
    assert c.call("EVAL", "return redis.sha1hex('')", 0) == b"da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert c.call("EVAL", "return redis.REDIS_VERSION", 0) == b"7.2.6"
    assert c.call("EVAL", "return cjson.encode({1,2,3})", 0) == b"[1,2,3]"
    assert c.call("EVAL", "return bit.band(7, 3)", 0) == 3
    assert c.call("EVAL", "return redis.replicate_commands()", 0) == 1


def test_math_random_is_deterministic_sequence(server):
    # One sequence per process (Redis's rand48): two runs differ, and the values are in range.
    cl = server.client()
    a = cl.eval("return tostring(math.random())", 0)
    b = cl.eval("return tostring(math.random())", 0)
    assert a != b
    assert 0 <= float(a) < 1


def test_evalsha_script_load_exists_flush(c):
    c.call("SCRIPT", "FLUSH")
    body = "return 'hello'"
    assert c.call("EVALSHA", sha1(body), 0) == NOSCRIPT
    assert c.call("EVALSHA", "short", 0) == NOSCRIPT
    assert c.call("SCRIPT", "LOAD", body) == sha1(body).encode()
    assert c.call("EVALSHA", sha1(body), 0) == b"hello"
    assert c.call("EVALSHA", sha1(body).upper(), 0) == b"hello"
    assert c.call("SCRIPT", "EXISTS", sha1(body), "0" * 40) == [1, 0]
    # EVAL adds to the cache too.
    c.call("EVAL", "return 2", 0)
    assert c.call("SCRIPT", "EXISTS", sha1("return 2")) == [1]
    assert c.call("SCRIPT", "FLUSH", "ASYNC") == b"OK"
    assert c.call("SCRIPT", "EXISTS", sha1(body)) == [0]
    assert c.call("SCRIPT", "FLUSH", "bad") == RespError(
        "ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    assert c.call("SCRIPT", "LOAD", "return +") == RespError(
        "ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'")


def test_script_cache_is_bounded(c):
    # Redis 7.4's rule: EVAL-only scripts beyond 500 are evicted, SCRIPT LOAD'ed ones stay.
    kept = c.call("SCRIPT", "LOAD", "return 'kept'")
    for i in range(600):
        c.call("EVAL", f"return {i}", 0)
    info = c.call("INFO", "memory").decode()
    cached = int(info.split("number_of_cached_scripts:")[1].split("\r\n")[0])
    assert cached <= 501
    assert c.call("SCRIPT", "EXISTS", kept) == [1]
    assert c.call("SCRIPT", "EXISTS", sha1("return 0")) == [0]
    assert c.call("SCRIPT", "EXISTS", sha1("return 599")) == [1]
    stats = c.call("INFO", "stats").decode()
    assert int(stats.split("evicted_scripts:")[1].split("\r\n")[0]) >= 99


def test_shebang_flags_and_read_only_variants(c):
    body = "#!lua flags=no-writes\nreturn redis.call('set', 'x', 1)"
    assert c.call("EVAL", body, 0) == RespError(
        "ERR Write commands are not allowed from read-only scripts. script: "
        f"{sha1(body)}, on @user_script:2.")
    assert c.call("EVAL_RO", "return redis.call('get', KEYS[1])", 1, "x") is None
    r = c.call("EVAL_RO", "return redis.call('set', KEYS[1], 1)", 1, "x")
    assert "Write commands are not allowed from read-only scripts." in str(r)
    assert c.call("EVAL_RO", "#!lua\nreturn 1", 0) == RespError(
        "ERR Can not execute a script with write flag using *_ro command.")
    assert c.call("EVAL", "#!lua flags=bogus\nreturn 1", 0) == RespError(
        "ERR Unexpected flag in script shebang: bogus")
    assert c.call("EVAL", "#!python\nreturn 1", 0) == RespError(
        "ERR Unexpected engine in script shebang: #!python")
    assert c.call("EVAL", "#!lua", 0) == RespError("ERR Invalid script shebang")
    body = "#!lua flags=no-writes,allow-oom\nreturn 7"
    assert c.call("EVAL", body, 0) == 7
    sha = c.call("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])")
    assert c.call("EVALSHA_RO", sha, 1, "x") is None


def test_select_inside_script_does_not_affect_caller(c):
    c.call("SELECT", 2)
    c.call("SET", "k", "db2")
    assert c.call("EVAL", "redis.call('select', 3); return redis.call('get', 'k')", 0) is None
    assert c.call("GET", "k") == b"db2"
    assert c.call("EVAL", "return redis.call('get', 'k')", 0) == b"db2"
    c.call("SELECT", 0)


def test_blocking_commands_do_not_block_in_scripts(c):
    assert c.call("EVAL", "return redis.pcall('blpop', 'empty', 0)", 0) is None
    assert c.call("EVAL", "return redis.pcall('bzpopmin', 'empty', 0)", 0) is None
    assert c.call("EVAL", "return redis.pcall('blmove', 'a', 'b', 'left', 'left', 0)", 0) is None
    c.call("RPUSH", "full", "x")
    assert c.call("EVAL", "return redis.call('blpop', 'full', 0)", 0) == [b"full", b"x"]


def test_script_write_wakes_blocked_client_and_dirties_watch(server, c, raw):
    waiter = raw()
    waiter.send_command("BLPOP", "q", 5)
    wait_until(lambda: b"blocked_clients:1" in c.call("INFO", "clients"))
    c.call("EVAL", "redis.call('rpush', 'q', 'v1'); return 1", 0)
    assert waiter.read() == [b"q", b"v1"]
    w = raw()
    assert w.call("WATCH", "watched") == b"OK"
    c.call("EVAL", "return redis.call('set', 'watched', 1)", 0)
    w.call("MULTI")
    w.call("GET", "watched")
    assert w.call("EXEC") is None


def test_script_inside_multi(c):
    c.call("MULTI")
    c.call("EVAL", "return redis.call('set', 'undeclared{1}', 'x')", 0)
    c.call("EVAL", "return redis.call('get', 'undeclared{2}')", 0)
    assert c.call("EXEC") == [b"OK", None]


def test_frozen_time_inside_script(c):
    # A key with a 1 ms TTL set in the script is still there for the rest of the script.
    body = """
    redis.call('set', KEYS[1], 'v', 'px', 1)
    local t0 = redis.call('time')
    local spins = 0
    while true do
      local t = redis.call('time')
      spins = spins + 1
      if (tonumber(t[1]) * 1000000 + tonumber(t[2])) - (tonumber(t0[1]) * 1000000 + tonumber(t0[2])) > 5000 or spins > 2000000 then break end
    end
    return redis.call('exists', KEYS[1])
    """
    assert c.call("EVAL", body, 1, "ttlkey") == 1
    time.sleep(0.01)
    assert c.call("EXISTS", "ttlkey") == 0


def test_info_and_commandstats(c):
    c.call("CONFIG", "RESETSTAT")
    c.call("EVAL", "return redis.call('set', 'a', 1)", 0)
    info = c.call("INFO", "all").decode()
    for field in ("used_memory_vm_eval:", "used_memory_scripts_eval:",
                  "number_of_cached_scripts:", "used_memory_lua:", "used_memory_vm_total:"):
        assert field in info
    assert "cmdstat_eval:calls=1" in info
    assert "cmdstat_set:calls=1" in info
    assert c.call("COMMAND", "GETKEYS", "EVAL", "return 1", 2, "k1", "k2", "arg") == [b"k1", b"k2"]
    assert c.call("COMMAND", "GETKEYS", "EVALSHA_RO", "a" * 40, 1, "k1") == [b"k1"]


def test_redis_cli_eval(server, tmp_path):
    script = tmp_path / "s.lua"
    script.write_text("redis.call('set', KEYS[1], ARGV[1]); return redis.call('get', KEYS[1])")
    out = subprocess.run([redis_cli_path(), "-p", str(server.port), "--eval", str(script),
                          "clikey", ",", "clivalue"], capture_output=True, text=True, timeout=10)
    assert out.stdout.strip() == "clivalue"


# ------------------------------------------------------------ atomicity across shards


def test_undeclared_keys_transfer_stays_atomic(server):
    """Scripts move amounts between 100 undeclared keys (spread over every shard) while 8
    clients run them and others read every key in one script: the total never changes."""
    setup = server.client()
    setup.flushall()
    keys = [f"acct:{i}" for i in range(100)]
    for k in keys:
        setup.set(k, 100)
    transfer = setup.script_load("""
        local a = 'acct:' .. ARGV[1]
        local b = 'acct:' .. ARGV[2]
        local n = tonumber(ARGV[3])
        redis.call('decrby', a, n)
        redis.call('incrby', b, n)
        return 1""")
    total = setup.script_load("""
        local sum = 0
        for i = 0, 99 do sum = sum + tonumber(redis.call('get', 'acct:' .. i)) end
        return sum""")
    stop = time.time() + 3
    errors = []
    sums = []

    def mover(seed):
        cl = server.client()
        i = seed
        try:
            while time.time() < stop:
                a, b = (i * 7) % 100, (i * 13 + 5) % 100
                cl.evalsha(transfer, 0, a, b, i % 9 + 1)
                i += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader():
        cl = server.client()
        try:
            while time.time() < stop:
                sums.append(cl.evalsha(total, 0))
                # A plain MGET of every key is atomic too, and must agree.
                sums.append(sum(int(v) for v in cl.mget(keys)))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=mover, args=(s,)) for s in range(8)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sums and all(s == 10000 for s in sums), set(sums)
    assert setup.evalsha(total, 0) == 10000


# ------------------------------------------------------------ busy scripts


@pytest.fixture
def quick_busy(r):
    r.config_set("busy-reply-threshold", 100)
    yield
    r.config_set("busy-reply-threshold", 5000)


def test_busy_script_and_script_kill(server, quick_busy, raw):
    runner = raw()
    runner.send_command("EVAL", "local i = 0 while true do i = i + 1 end", 0)
    other = raw()
    wait_until(lambda: str(other.call("PING")).startswith("BUSY"), msg="BUSY reply")
    assert other.call("GET", "x") == RespError(
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
    assert other.call("SCRIPT", "KILL") == b"OK"
    r = runner.read()
    assert isinstance(r, RespError) and "Script killed by user with SCRIPT KILL..." in str(r)
    assert other.call("PING") == b"PONG"
    assert other.call("SCRIPT", "KILL") == RespError("NOTBUSY No scripts in execution right now.")


def test_busy_script_that_wrote_is_unkillable(server, quick_busy, raw):
    runner = raw()
    runner.send_command("EVAL", "redis.call('set', 'w', 1) local t = redis.call('time') "
                        "local s = tonumber(t[1]) "
                        "while true do local n = redis.call('time') "
                        "if tonumber(n[1]) > s + 1 then break end end return 'done'", 0)
    other = raw()
    wait_until(lambda: str(other.call("PING")).startswith("BUSY"), msg="BUSY reply")
    r = other.call("SCRIPT", "KILL")
    assert str(r).startswith("UNKILLABLE Sorry the script already executed write commands")
    with_timeout = runner.read()
    assert with_timeout == b"done"
    assert other.call("GET", "w") == b"1"


def test_pcall_cannot_swallow_script_kill(server, quick_busy, raw):
    runner = raw()
    runner.send_command("EVAL", "while true do pcall(function() while true do end end) end", 0)
    other = raw()
    wait_until(lambda: str(other.call("PING")).startswith("BUSY"), msg="BUSY reply")
    assert other.call("SCRIPT", "KILL") == b"OK"
    assert "Script killed" in str(runner.read())
    assert other.call("PING") == b"PONG"


# ------------------------------------------------------------ maxmemory with noeviction


@pytest.fixture
def over_maxmemory(r):
    """maxmemory 1 byte with the noeviction policy: every deny-oom command is refused."""
    r.config_set("maxmemory", 1)
    yield
    r.config_set("maxmemory", 0)


OOM = RespError("OOM command not allowed when used memory > 'maxmemory'.")


def test_maxmemory_noeviction_refuses_deny_oom_commands(r, c, over_maxmemory):
    assert c.call("SET", "k", "v") == OOM
    assert c.call("GET", "k") is None
    assert c.call("DEL", "k") == 0  # not deny-oom
    # Inside MULTI everything queued is refused, and EXEC then aborts.
    assert c.call("MULTI") == b"OK"
    assert c.call("GET", "k") == OOM
    assert c.call("EXEC") == RespError(
        "EXECABORT Transaction discarded because of previous errors.")
    # A transaction queued before the limit was reached: reads still run, a write aborts it.
    r.config_set("maxmemory", 0)
    c.call("MULTI")
    c.call("GET", "k")
    c.call("PING")
    r.config_set("maxmemory", 1)
    assert c.call("EXEC") == [None, b"PONG"]
    r.config_set("maxmemory", 0)
    c.call("MULTI")
    c.call("SET", "k", "v")
    r.config_set("maxmemory", 1)
    assert str(c.call("EXEC")).startswith("EXECABORT Transaction discarded because of: OOM")
    # An eviction policy combines with a limit (test_eviction.py covers eviction itself).
    assert c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru") == b"OK"
    assert c.call("CONFIG", "GET", "maxmemory-policy") == [b"maxmemory-policy", b"allkeys-lru"]
    assert c.call("CONFIG", "SET", "maxmemory-policy", "noeviction") == b"OK"


def test_scripts_over_maxmemory(c, over_maxmemory):
    # No shebang: the script runs, its first deny-oom write is refused.
    r = c.call("EVAL", "return redis.call('set', 'x', 1)", 0)
    assert str(r).startswith("OOM command not allowed when used memory > 'maxmemory'.")
    assert c.call("EVAL", "return redis.call('get', 'x')", 0) is None
    # A shebang without allow-oom makes the script itself deny-oom.
    assert c.call("EVAL", "#!lua\nreturn 1", 0) == OOM
    assert c.call("EVAL", "#!lua flags=no-writes\nreturn 1", 0) == 1
    assert c.call("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set', 'x', 1)", 0) == b"OK"


def test_error_statistics_count_each_error_once(c):
    """A command refused or failing inside a script counts once, where it arose (rejected or
    failed calls of that command, errorstats); the script's error reply fails EVAL without
    counting the error again."""

    def stat(section, prefix):
        info = c.call("INFO", section).decode()
        lines = [ln for ln in info.split("\r\n") if ln.startswith(prefix)]
        return lines[0] if lines else ""

    c.call("CONFIG", "RESETSTAT")
    assert str(c.call("EVAL", "return redis.call('select', 99)", 0)).startswith(
        "ERR DB index is out of range")
    assert stat("errorstats", "errorstat_ERR") == "errorstat_ERR:count=1"
    assert stat("stats", "total_error_replies") == "total_error_replies:1"
    assert "failed_calls=1" in stat("commandstats", "cmdstat_select:")
    assert "calls=1," in stat("commandstats", "cmdstat_eval:")
    assert "failed_calls=1" in stat("commandstats", "cmdstat_eval:")

    c.call("CONFIG", "RESETSTAT")
    assert "Unknown Redis command" in str(c.call("EVAL", "return redis.pcall('nosuch')", 0))
    assert stat("errorstats", "errorstat_ERR") == "errorstat_ERR:count=1"
    c.call("CONFIG", "RESETSTAT")
    c.call("CONFIG", "SET", "maxmemory", 1)
    try:
        r = c.call("EVAL", "return redis.call('set', 'x', 'y')", 1, "x")
        assert str(r).startswith("OOM command not allowed")
        assert stat("errorstats", "errorstat_OOM") == "errorstat_OOM:count=1"
        assert stat("stats", "total_error_replies") == "total_error_replies:1"
        assert "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0" in stat(
            "commandstats", "cmdstat_set:")
    finally:
        c.call("CONFIG", "SET", "maxmemory", 0)
