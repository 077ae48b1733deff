"""Turning two servers' replies into comparable values.

canonical(args, reply, side, ctx) maps one tagged reply (see resp.py) to a value that is equal
for both servers exactly when the replies agree on everything that is deterministic:

* unordered replies (SMEMBERS, HGETALL, KEYS, RESP3 sets...) are sorted;
* random ones (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER) keep only their shape, or their sorted
  members when the whole collection came back;
* TTL/PTTL/EXPIRETIME/PEXPIRETIME become ("approx", n, tolerance);
* sorted-set scores are compared as numbers (see REDIS_7_0_TO_7_2 below);
* the replies of EXEC are normalised element by element with the queued commands.

The oracle is Redis 7.0.15 while Weir targets 7.2: REDIS_7_0_TO_7_2 is the one table of the
known, documented differences between the two, applied to the oracle's side only (or, where a
reply cannot be rewritten, as a tolerance in both). Every entry names where 7.2 changed it.
"""

import math
import re

# ---------------------------------------------------------------------------------------------
# Redis 7.0.15 -> 7.2 differences. Each is listed in docs/compatibility.md too.
REDIS_7_0_TO_7_2 = {
    "double-format":
    "7.2 formats doubles (scores, RESP3 doubles) as the shortest round-trip text (fpconv, "
    "#10587) where 7.0 printed %.17g: 1.1 vs 1.1000000000000001. Scores compare as numbers.",
    "help-wording":
    "7.2's HELP replies end with \"Print this help.\" where 7.0 says \"Prints this help.\"",
    "lset-int-index":
    "7.2's LSET passes its index on as a C int, so an index beyond 32 bits wraps (LSET k "
    "9223372036854775807 v sets the last element); 7.0 answers 'index out of range'. The "
    "generator keeps LSET indexes within 32 bits.",
    "xsetid-max-deleted":
    "7.2 refuses XSETID below the stream's max_deleted_entry_id ('smaller than current "
    "max_deleted_entry_id'); 7.0 accepts it. The generator keeps XSETID's IDs above XDEL's.",
    "consumer-autocreate":
    "7.2 creates the consumer in XREADGROUP / XCLAIM / XAUTOCLAIM even when nothing is read or "
    "claimed (#11099). Once one of those ran, XINFO GROUPS's consumer count and XGROUP "
    "CREATECONSUMER's 0/1 are not compared.",
    "size-hint":
    "7.2 sizes a set, hash or sorted set by the argument count of SADD, HSET/HMSET or ZADD, "
    "duplicates and members already there included (#11290 and its hash and zset kin), and "
    "converts it when that count is above the *-max-*-entries limit: 513 arguments naming 512 "
    "integers make a hashtable, 7.0 an intset; under hash-max-listpack-entries 2, HSET h a 1 a "
    "2 a 3 makes a hashtable, 7.0 a listpack. The generator repeats no argument in long "
    "commands; once an epoch lowers one of those limits, OBJECT ENCODING accepts the bigger "
    "encoding from Weir where Redis still has the small one (never the other way round). A "
    "sorted set made a skiplist at once keeps a -0 score's sign where 7.0's listpack stored 0, "
    "so once a limit is lowered a Z* or SORT reply may read -0 from Weir where Redis reads 0.",
    "command-getkeys-arity":
    "7.2's COMMAND GETKEYS has arity -3 (7.0: -4): COMMAND GETKEYS XREAD is XREAD's 'Invalid "
    "number of arguments' there, not COMMAND GETKEYS's wrong arity.",
    "small-list-set-encoding":
    "7.2 keeps small lists and small non-integer sets as listpack (#11303, #11290); 7.0 says "
    "quicklist / hashtable. OBJECT ENCODING accepts those pairs.",
}


def lpos_rank_llong_min(args, reply):
    """7.2 range-checks RANK while parsing (-LONG_MAX..LONG_MAX), before the key lookup and
    before later options; 7.0 accepted LLONG_MIN."""
    if upper(args[0]) != b"LPOS":
        return None
    j = 3
    while j < len(args) - 1:
        opt, value = upper(args[j]), as_bytes(args[j + 1])
        if opt == b"RANK" and value == b"-9223372036854775808":
            return ("-", b"ERR value is out of range, value must between "
                    b"-9223372036854775807 and 9223372036854775807")
        # stop at the first option that fails in both versions
        valid = rb"-?[1-9]\d*" if opt == b"RANK" else rb"0|[1-9]\d*"
        if opt not in (b"RANK", b"COUNT", b"MAXLEN") or not re.fullmatch(valid, value) or \
                int(value) > 9223372036854775807:
            return None
        j += 2
    return None


def zrank_withscore_arity(args, reply):
    """7.2 added ZRANK/ZREVRANK ... WITHSCORE: a 4th argument that is not WITHSCORE is a syntax
    error there, where 7.0 counted it as wrong arity."""
    if upper(args[0]) in (b"ZRANK", b"ZREVRANK") and len(args) == 4 and reply[0] == "-" and \
            upper(args[3]) != b"WITHSCORE":
        return ("-", b"ERR syntax error")
    return None


def xread_unbalanced_text(args, reply):
    """7.2 names the command in this error: "Unbalanced 'xreadgroup' list of streams: ... '>'"
    (7.0: "Unbalanced XREAD list ... '$'" for both commands)."""
    if reply[0] == "-" and reply[1].startswith(b"ERR Unbalanced XREAD list"):
        name = upper(args[0])
        symbol = b">" if name == b"XREADGROUP" else b"$"
        return ("-", b"ERR Unbalanced '" + name.lower() + b"' list of streams: for each stream "
                b"key an ID or '" + symbol + b"' must be specified.")
    return None


def hello_options_before_auth(args, reply):
    """7.2 checks every HELLO option before it authenticates (#11659); 7.0 answered WRONGPASS
    as soon as it met AUTH, before a later bad option."""
    if upper(args[0]) != b"HELLO" or reply[0] != "-" or not reply[1].startswith(b"WRONGPASS"):
        return None
    j = 2
    while j < len(args):
        opt, more = upper(args[j]), len(args) - 1 - j
        if opt == b"AUTH" and more >= 2:
            j += 3
        elif opt == b"SETNAME" and more >= 1:
            if re.search(rb"[^!-~]", as_bytes(args[j + 1])):  # (a NUL included)
                return ("-", b"ERR Client names cannot contain spaces, newlines or special "
                        b"characters.")
            j += 2
        else:
            # Redis formats the option with %s, which ends it at a NUL byte
            option = as_bytes(args[j]).split(b"\x00")[0]
            return ("-", b"ERR Syntax error in HELLO option '" + option + b"'")
    return None


def command_getkeys_arity(args, reply):
    """7.2's COMMAND GETKEYS has arity -3 (7.0: -4), so COMMAND GETKEYS XREAD reaches XREAD's
    own arity check (the generator names only XREAD/XREADGROUP there)."""
    if len(args) == 3 and upper(args[0]) == b"COMMAND" and upper(args[2]) in (
            b"XREAD", b"XREADGROUP") and reply[0] == "-" and b"wrong number" in reply[1]:
        return ("-", b"ERR Invalid number of arguments specified for command")
    return None


# rewrites of a 7.0 reply into the 7.2 one, tried in order on the oracle's side
REPLY_7_0_TO_7_2 = [lpos_rank_llong_min, zrank_withscore_arity, xread_unbalanced_text,
                    hello_options_before_auth, command_getkeys_arity]

# Redis bugs (in 7.2 too) that Weir does not copy: (name, why, tolerated(args, weir, redis))
REDIS_QUIRKS = {
    "sort-stale-errno":
    "SORT's numeric weights are parsed with strtod and checked with `errno == ERANGE` without "
    "clearing errno first, so a numeric SORT that follows any command that overflowed a number "
    "(ZADD k 1e400 m) can fail with \"One or more scores can't be converted into double\" "
    "until some system call fails. When Redis answers that and Weir sorts, it is accepted "
    "(SORT without STORE only; the generator makes every STOREd SORT ALPHA).",
    "refcount-in-exec":
    "EXEC keeps the queued commands' arguments until the transaction ends, so OBJECT REFCOUNT "
    "of a value that a command of the same EXEC stored answers 2 in Redis; Weir answers 1 "
    "(an artefact of Redis's shared argument objects). Inside EXEC, 1 and 2 are accepted.",
}

# the encodings 7.2 can already have where 7.0 keeps the smaller one
# (REDIS_7_0_TO_7_2["size-hint"]), as (Redis 7.0's, Weir's)
EARLIER_CONVERSIONS = {(b"listpack", b"hashtable"), (b"listpack", b"skiplist"),
                       (b"intset", b"listpack"), (b"intset", b"hashtable")}
# the limits that an epoch must lower for them
ENTRIES_LIMITS = {b"hash-max-listpack-entries": 512, b"hash-max-ziplist-entries": 512,
                  b"set-max-intset-entries": 512, b"zset-max-listpack-entries": 128,
                  b"zset-max-ziplist-entries": 128}


def tolerated(args, weir_reply, redis_reply, ctx, in_exec=False):
    """A difference explained by REDIS_QUIRKS, REDIS_7_0_TO_7_2["size-hint"], or by the
    servers' clocks."""
    name = upper(args[0])
    subcommand = upper(args[1]) if len(args) > 1 else b""
    if name == b"OBJECT" and subcommand == b"REFCOUNT" and in_exec and \
            (weir_reply, redis_reply) == ((":", 1), (":", 2)):
        return True
    if name == b"OBJECT" and subcommand == b"REFCOUNT" and ctx.saw_copy and \
            (weir_reply, redis_reply) == ((":", 2147483647), (":", 1)):
        # a Weir difference (docs/compatibility.md): COPY of an integer 0..9999 makes an
        # unshared object in Redis (refcount 1); Weir derives REFCOUNT from the value
        return True
    if name == b"OBJECT" and subcommand == b"ENCODING" and ctx.lowered_entries_limit and \
            (redis_reply[1], weir_reply[1]) in EARLIER_CONVERSIONS:
        return True
    if ctx.lowered_entries_limit and (name.startswith(b"Z") or name in (b"SORT", b"SORT_RO")) \
            and equal(canonical(args, negative_zero_as_zero(weir_reply), "weir", ctx),
                      canonical(args, redis_reply, "redis", ctx)):
        return True
    if name in (b"EXPIRE", b"PEXPIRE") and {b"GT", b"LT"} & {upper(a) for a in args[3:]} and \
            {weir_reply, redis_reply} == {(":", 0), (":", 1)}:
        # a relative TTL compared with one set a few milliseconds earlier from the same
        # relative TTL: which is greater depends on when each server ran the two commands
        return True
    if name in (b"SORT", b"SORT_RO") and redis_reply == (
            "-", b"ERR One or more scores can't be converted into double") and \
            weir_reply[0] == "*" and b"STORE" not in [upper(a) for a in args]:
        return True
    return False

def negative_zero_as_zero(reply):
    """The reply with every "-0" string or double read as "0" (REDIS_7_0_TO_7_2["size-hint"])."""
    t, v = reply
    if t in ("$", ",") and v == b"-0":
        return (t, b"0")
    if isinstance(v, list):
        return (t, [negative_zero_as_zero(x) if isinstance(x, tuple) and len(x) == 2 and
                    isinstance(x[0], str) else x for x in v])
    return reply

# ---------------------------------------------------------------------------------------------

UNORDERED = {b"SMEMBERS", b"SINTER", b"SUNION", b"SDIFF", b"KEYS", b"HKEYS", b"HVALS"}
UNORDERED_PAIRS = {b"HGETALL"}
SCANS = {b"SCAN", b"SSCAN", b"HSCAN", b"ZSCAN"}
RANDOM = {b"SRANDMEMBER", b"HRANDFIELD", b"ZRANDMEMBER", b"RANDOMKEY"}
TTL_TOLERANCE = {b"TTL": 2, b"EXPIRETIME": 2, b"PTTL": 2000, b"PEXPIRETIME": 2000}


class Context:
    """What the sequence so far did that changes how replies are read."""

    def __init__(self):
        self.types = {}  # key -> TYPE last answered by the oracle
        self.saw_consumer_autocreate = False  # REDIS_7_0_TO_7_2["consumer-autocreate"]
        self.lowered_entries_limit = False  # REDIS_7_0_TO_7_2["size-hint"]
        self.saw_copy = False  # OBJECT REFCOUNT after COPY (a known Weir difference)

    def note_command(self, args):
        name = upper(args[0])
        if name in (b"XREADGROUP", b"XCLAIM", b"XAUTOCLAIM"):
            self.saw_consumer_autocreate = True
        if name == b"COPY":
            self.saw_copy = True
        if name == b"CONFIG" and len(args) > 1 and upper(args[1]) == b"SET":
            for param, value in zip(args[2::2], args[3::2]):
                limit = ENTRIES_LIMITS.get(as_bytes(param).lower())
                if limit is not None and re.fullmatch(rb"\d+", as_bytes(value)) and \
                        int(value) < limit:
                    self.lowered_entries_limit = True


def as_bytes(x):
    if isinstance(x, bytes):
        return x
    return str(x).encode()


def upper(x):
    return as_bytes(x).upper()


def sort_key(v):
    return repr(v)


def canonical_double(text):
    """A score's text as a comparable number (sign of zero kept, all NaNs alike)."""
    try:
        d = float(text)
    except ValueError:
        return ("text", text)
    if math.isnan(d):
        return ("double", "nan")
    return ("double", d, math.copysign(1.0, d))


def generic(reply, scores=False):
    """Normalise parts of a reply that never depend on the command."""
    t, v = reply
    if t == ",":
        return canonical_double(v)
    if t == "$" and scores and v is not None:
        if re.fullmatch(rb"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|inf|nan)", v, re.I):
            return canonical_double(v)
        return (t, v)
    if t in ("*", ">") and v is not None:
        return (t, [generic(x, scores) for x in v])
    if t == "~":
        return (t, sorted((generic(x, scores) for x in v), key=sort_key))
    if t == "%":
        return (t, [(generic(a, scores), generic(b, scores)) for a, b in v])
    return reply


def canonical(args, reply, side, ctx):
    name = upper(args[0])
    if side == "redis" and reply != ("+", b"QUEUED"):
        for rewrite in REPLY_7_0_TO_7_2:
            reply = rewrite(args, reply) or reply
    t, v = reply
    if t in ("-", "!"):
        return ("error", v)
    if side == "redis" and reply == ("+", b"    Prints this help."):
        return ("+", b"    Print this help.")  # REDIS_7_0_TO_7_2["help-wording"]
    if t in ("*", "%") and v and side == "redis" and upper(args[-1]) == b"HELP":
        reply = (t, [canonical(args, x, side, ctx) if x[0] == "+" else x for x in v])
        t, v = reply
    if name == b"HELLO":
        return ("hello", t)  # server name, version and client id differ by nature
    if name in TTL_TOLERANCE and t == ":" and v >= 0:
        return ("approx", v, TTL_TOLERANCE[name])
    if name == b"OBJECT" and len(args) > 2 and upper(args[1]) == b"ENCODING" and t == "$":
        return object_encoding(args, v, side, ctx)
    if name == b"TYPE" and len(args) == 2 and t == "+" and side == "redis":
        ctx.types[as_bytes(args[1])] = v
    scores = name.startswith(b"Z") or name.startswith(b"BZ")
    out = generic(reply, scores)
    if name in UNORDERED and t == "*" and v is not None:
        return ("sorted", sorted(out[1], key=sort_key))
    if name in UNORDERED_PAIRS and t == "*" and v is not None:
        return ("sorted", sorted(pairs(out[1]), key=sort_key))
    if name in UNORDERED_PAIRS and t == "%":
        return ("sorted", sorted(out[1], key=sort_key))
    if name in RANDOM:
        return random_shape(args, t, out)
    if name == b"SPOP" and t == "*" and v is not None:
        return ("sorted", sorted(out[1], key=sort_key))
    if name in (b"SORT", b"SORT_RO") and t == "*" and sort_unordered(args):
        if b"LIMIT" in [upper(a) for a in args]:
            return ("sort-length", len(out[1]))  # which elements LIMIT keeps is undefined too
        return ("sorted", sorted(out[1], key=sort_key))
    if name in SCANS and t == "*" and v and len(v) == 2 and v[1][0] == "*":
        # one call that finished (cursor 0, compared as is): its elements in any order
        items = out[1][1][1]
        items = pairs(items) if name in (b"HSCAN", b"ZSCAN") else items
        return ("scan", out[1][0], sorted(items, key=sort_key))
    if name in (b"SORT", b"SORT_RO") and t == "*" and v and alpha_ties_undefined(args):
        return (t, alpha_ties_sorted(out[1]))
    if name == b"XINFO" and len(args) > 1:
        return xinfo(upper(args[1]), out, ctx)
    if name == b"XGROUP" and len(args) > 1 and upper(args[1]) == b"CREATECONSUMER" and \
            t == ":" and ctx.saw_consumer_autocreate:
        return ("created", "0|1")
    if name == b"XPENDING" and t == "*" and v and len(args) > 4:
        # extended form: [id, consumer, idle ms, deliveries]: idle time is not deterministic
        return (t, [("*", [e[1][0], e[1][1], None, e[1][3]]) for e in out[1]])
    return out


def pairs(items):
    return [tuple(items[i:i + 2]) for i in range(0, len(items), 2)]


def random_shape(args, t, out):
    if t != "*" or out[1] is None or len(args) < 3:
        return ("random-one", t)  # one random element: only its type is deterministic
    try:
        count = int(args[2])
    except ValueError:
        return out
    v = out[1]
    with_values = len(args) > 3
    n = len(v) // 2 if with_values and v and v[0][0] != "*" else len(v)
    if 0 <= n < count:  # asked for more than there is: all of it came back
        items = pairs(v) if with_values and v and v[0][0] != "*" else v
        return ("all", sorted(items, key=sort_key))
    return ("random", t, n, with_values)


def sort_unordered(args):
    """SORT replies whose order Redis leaves undefined: BY nosort (a set comes back in its hash
    order), and ALPHA with a BY pattern, where elements whose weights tie (both missing, or
    equal) are left in the order of an unstable sort over the set's hash order."""
    words = [upper(a) for a in args]
    for i, w in enumerate(words[:-1]):
        if w == b"BY" and (b"*" not in words[i + 1] or b"ALPHA" in words):
            return True
    return False


def alpha_ties_undefined(args):
    """SORT ALPHA without BY returning the elements themselves: strcoll stops at a NUL byte, so
    "" and "\\x00" tie, and ties keep the unstable order of a sort over the set's hash order."""
    words = [upper(a) for a in args]
    gets = [words[i + 1] for i, w in enumerate(words[:-1]) if w == b"GET"]
    return b"ALPHA" in words and b"BY" not in words and gets in ([], [b"#"])


def alpha_ties_sorted(items):
    """Runs of elements equal up to their first NUL byte, each run sorted."""
    out, run = [], []
    for item in items + [None]:
        tie = item is not None and run and isinstance(item[1], bytes) and \
            isinstance(run[0][1], bytes) and \
            item[1].split(b"\x00")[0] == run[0][1].split(b"\x00")[0]
        if not tie:
            out += sorted(run, key=sort_key)
            run = []
        if item is not None:
            run.append(item)
    return out


def xinfo(sub, out, ctx):
    t, v = out
    ignored = set()
    if sub == b"STREAM":
        ignored = {b"radix-tree-keys", b"radix-tree-nodes"}  # internal to each implementation
    elif sub == b"GROUPS":
        if not ctx.saw_consumer_autocreate or t != "*" or not v:
            return out
        return ("*", [xinfo(b"GROUP", g, ctx) for g in v])
    elif sub == b"GROUP" and ctx.saw_consumer_autocreate:  # one group of XINFO GROUPS
        ignored = {b"consumers"}
    if not ignored or t not in ("*", "%") or not v:
        return out
    flat = pairs(v) if t == "*" else v
    return ("xinfo", t, [(k, None if k[1] in ignored else x) for k, x in flat])


# encodings that the two servers may legitimately report for the same value, per type; the
# type is the one a TYPE just before answered (the generator sends one), else unknown (None),
# and then every alternative is accepted
def encoding_alternatives(key_type):
    groups = []
    if key_type in (b"list", None):  # REDIS_7_0_TO_7_2["small-list-set-encoding"]
        groups.append({b"listpack", b"quicklist"})
    if key_type in (b"set", None):  # REDIS_7_0_TO_7_2["small-list-set-encoding"]
        groups.append({b"listpack", b"hashtable"})
    return groups


def object_encoding(args, enc, side, ctx):
    # a TYPE answer is good for the next command only; the oracle's side is read first
    key = as_bytes(args[2])
    key_type = ctx.types.get(key) if side == "redis" else ctx.types.pop(key, None)
    for group in encoding_alternatives(key_type):
        if enc in group:
            return ("encoding", b"|".join(sorted(group)))
    return ("encoding", enc)


def equal(a, b):
    """Deep equality, with tolerance for ("approx", n, tol) values."""
    if isinstance(a, tuple) and isinstance(b, tuple) and a and b and a[0] == b[0] == "approx":
        return abs(a[1] - b[1]) <= a[2]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(
            equal(x, y) for x, y in zip(a, b))
    return a == b
