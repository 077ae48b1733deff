"""Random but plausible command sequences over a small key space.

A sequence is a list of steps (conn, args): conn 0 is the main client, conn 1 a second client
used to break WATCHed transactions. Arguments are bytes or str. Everything is drawn from one
random.Random(seed), so a seed always yields the same sequence.

The key space is a dozen keys, so types collide and WRONGTYPE happens. Two of them (the "lex
keys") only ever hold sorted sets whose scores are all 0, two more (the "listpack zset keys")
small sorted sets with differing scores: lex-range commands are generated on those only.
Redis walks a lex range over a skiplist as if the whole set were in lex order, so on a
skiplist whose scores differ its answer depends on the random heights of the skiplist's nodes
(it differs from run to run); with all scores equal, or on a listpack (one linear pass), the
answer is deterministic and Weir must match it. The listpack zset keys stay listpack: only
short members, at most 14 of them, and only sorted sets made of the same keys are stored
there; once an epoch lowers a zset-max-listpack-* threshold (CONFIG SET), no more lex ranges
are generated on them until the next epoch (see Generator.zset_listpack_only).
"""

import random
import time

LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808

PLAIN_KEYS = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11"]
# each family mostly uses its own two keys, so most commands find their type (any key now and
# then, for WRONGTYPE)
AFFINITY = {
    "strings": ["k0", "k1"], "bits": ["k0", "k1"], "lists": ["k2", "k3"],
    "hashes": ["k4", "k5"], "sets": ["k6", "k7"], "zsets": ["k8", "k9"],
    "streams": ["k10", "k11"],
}
LEX_KEYS = ["lex0", "lex1"]
LISTPACK_ZSET_KEYS = ["lpz0", "lpz1"]
# a key name with a NUL byte: Redis cuts the names it quotes in error texts at a NUL
NUL_KEY = b"nul\x00key"
ALL_KEYS = PLAIN_KEYS + LEX_KEYS + LISTPACK_ZSET_KEYS + [NUL_KEY]

VALUES = [
    "0", "1", "-1", "2", "3", "10", "100", "007", "1.5", "-0", "3e2", " 1", "abc", "foo",
    "bar", "", b"\x00", b"a\x00b", b"\xff\xfe\r\n", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "inf", "-inf", "nan", "1e400", "0x10",
    "+1", "hello world", "12345678901234567890", "k1", "k2", "-1.5e3", "0.1",
]
MEMBERS = ["a", "b", "c", "d", "e", "1", "2", "3", "10", "-1", "", b"x\x00y", "1.5", "foo"]
FIELDS = ["f1", "f2", "f3", "f4", "", b"f\x00", "10"]
INTS = [
    0, 1, -1, 2, -2, 3, 5, 10, -10, 100, LLONG_MAX, LLONG_MIN, "9223372036854775808", "abc",
    "", "1.5", " 1", "-0", "+2", 4, 7, -3, 2147483647, 2147483648, 4294967296, -2147483649,
    LLONG_MAX - 1, LLONG_MIN + 1, "1e3", "0x10",
]
# XDEL deletes at most 10-0 and XSETID sets at least 10-1: 7.2 refuses an XSETID below the
# stream's max_deleted_entry_id, 7.0 does not (normalise.REDIS_7_0_TO_7_2["xsetid-max-deleted"])
DELETABLE_IDS = ["1-1", "1-2", "2-0", "3", "5-5", "0-1", "0-0", "10", "x", "1-x", "-1", "9-9"]
XSETID_IDS = ["10-1", "100-3", "100-5", "18446744073709551615-1", "200", "x", "1-x", "10-*"]
# The encoding thresholds CONFIG SET changes, with the values it picks from (small ones make the
# conversions happen at a few elements). difftest.py sets DEFAULT_THRESHOLDS again at every
# flush. set-max-listpack-* is 7.2 only (7.0 has no listpack sets) and not generated.
DEFAULT_THRESHOLDS = {
    "list-max-listpack-size": -2, "hash-max-listpack-entries": 512,
    "hash-max-listpack-value": 64, "set-max-intset-entries": 512,
    "zset-max-listpack-entries": 128, "zset-max-listpack-value": 64,
    "stream-node-max-bytes": 4096, "stream-node-max-entries": 100,
}
THRESHOLD_VALUES = {
    "list-max-listpack-size": [-1, -2, -3, -5, 1, 2, 3, 128],
    "hash-max-listpack-entries": [0, 1, 2, 3, 128, 512],
    "hash-max-listpack-value": [0, 1, 2, 5, 64],
    "set-max-intset-entries": [0, 1, 2, 5, 512],
    "zset-max-listpack-entries": [0, 1, 2, 3, 14, 128],
    "zset-max-listpack-value": [0, 1, 2, 3, 64],
    "stream-node-max-bytes": [0, 1, 40, 100, 4096],
    "stream-node-max-entries": [0, 1, 2, 3, 100],
}
# the smallest zset thresholds that keep the listpack zset keys (at most 14 members of at most
# 3 bytes) listpack
ZSET_LISTPACK_SAFE = {"zset-max-listpack-entries": 14, "zset-max-listpack-value": 3}
SMALL_INTS = [0, 1, 2, 3, -1, -2, 5, 10, -10]
SCORES = [
    "0", "1", "-1", "1.5", "2", "-2.5", "inf", "-inf", "+inf", "nan", "1e400", "abc", "0.1",
    "3", "1e-300", "-0", "100", "1e308", "", "0x1", "5", "0.3",
]
FLOATS = ["0", "1", "-1", "1.5", "0.1", "-0.3", "1e10", "inf", "-inf", "nan", "1e400", "abc",
          "", "3", "5.0e3", "-0", "1e308", "9223372036854775807"]


# commands whose arguments are not shortened or lengthened at random: SPOP without a count pops
# a random member; a 4th ZRANK argument is wrong arity in 7.0 but a syntax error in 7.2, which
# inside MULTI is an EXECABORT in one and not the other; SCANs keep the COUNT that makes one call
# finish
NO_ARITY_CHANGE = {"SPOP", "ZRANK", "ZREVRANK", "SCAN", "SSCAN", "HSCAN", "ZSCAN"}


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.now = int(time.time())
        self.affinity = PLAIN_KEYS
        self.new_epoch()

    def new_epoch(self):
        """The servers were flushed and their encoding thresholds reset to the defaults."""
        # half the epochs lower the zset thresholds too, the others keep the listpack zset
        # keys listpack all along for lex ranges
        self.lower_zset_thresholds = self.chance(0.5)
        # False once a CONFIG SET may have made a listpack zset key a skiplist
        self.zset_listpack_only = True

    # -- small pickers -----------------------------------------------------------------------
    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p):
        return self.rng.random() < p

    def key(self):
        return self.pick(ALL_KEYS) if self.chance(0.15) else self.plain_key()

    def plain_key(self):
        return self.pick(self.affinity) if self.chance(0.8) else self.pick(PLAIN_KEYS)

    def family_command(self):
        family = self.pick(self.FAMILIES)
        self.affinity = AFFINITY.get(family.__name__, PLAIN_KEYS)
        return family(self)

    def keys(self, lo=1, hi=4):
        return [self.key() for _ in range(self.rng.randint(lo, hi))]

    def value(self):
        return self.pick(VALUES) if self.chance(0.7) else self.pick(MEMBERS)

    def member(self):
        return self.pick(MEMBERS)

    def members(self, lo=1, hi=4):
        return [self.member() for _ in range(self.rng.randint(lo, hi))]

    def integer(self):
        return self.pick(SMALL_INTS) if self.chance(0.7) else self.pick(INTS)

    def score(self):
        return self.pick(SCORES) if self.chance(0.3) else self.pick(SMALL_INTS[:6] + ["1.5"])

    def ttl_seconds(self):
        # relative TTLs are days or more, so nothing expires while compared, even if the
        # machine's clock jumps (hours-long jumps were seen in a VM); 0 and negative ones
        # delete at once in both servers
        return self.pick([1000000, 5000000, 100000000, 0, -1, LLONG_MAX, "abc", "", 86400 * 30])

    def ttl_ms(self):
        return self.pick([10 ** 9, 5 * 10 ** 9, 0, -5, LLONG_MAX, "x", 86400000 * 30])

    def abs_seconds(self, past=True):
        past_times = [1] if past else []
        return self.pick([self.now + 10 ** 7, self.now + 10 ** 8, 0, -1, LLONG_MAX, "q"] +
                         past_times)

    def abs_ms(self, past=True):
        past_times = [1, 1000] if past else []
        return self.pick([(self.now + 10 ** 7) * 1000, 0, LLONG_MAX,
                          (self.now + 10 ** 8) * 1000] + past_times)

    def junk(self, after=None):
        # after a relative-time option a "1" would be a TTL of 1 s or 1 ms (GETEX k PX 1): the
        # key would then expire at a different moment in each server
        if isinstance(after, str) and after.upper() in ("EX", "PX"):
            return self.pick(["FOO", "", b"\x00", self.ttl_ms()])
        return self.pick(["FOO", "NX", "XX", "", "1", "LIMIT", "BY", "GET", b"\x00", "EX"])

    # -- entry point -------------------------------------------------------------------------
    def steps(self):
        """One generated unit: a list of (conn, args)."""
        r = self.rng.random()
        if r < 0.035:
            return self.transaction()
        if r < 0.045:
            return self.watch_block()
        if r < 0.05:
            return [(0, ["SELECT", self.pick([0, 1, 1, 0, 16, -1, "x"])])]
        if r < 0.06:
            return [(0, self.config())]
        args = self.family_command()
        if self.chance(0.03) and len(args) > 1 and args[0] not in NO_ARITY_CHANGE:
            # wrong arity / stray argument
            args = args[:-1] if self.chance(0.5) else args + [self.junk(after=args[-1])]
        elif self.chance(0.03) and 2 < len(args) < 100 and args[0] not in NO_ARITY_CHANGE:
            # (not in long commands: 7.2 sizes a new set by SADD's argument count, duplicates
            # included, so 513 arguments naming 512 integers make a hashtable, 7.0 an intset)
            # an option given twice
            i = self.rng.randrange(2, len(args))
            args = args[:i + 1] + args[i:]
        if self.chance(0.1):
            args = self.mixed_case(args)
        return [(0, a) for a in with_type_first(args)]

    def mixed_case(self, args):
        """Command names and option words in another case (both are case-insensitive)."""
        out = []
        for a in args:
            if isinstance(a, str) and a.isalpha() and a.isupper():
                a = "".join(ch.lower() if self.chance(0.5) else ch for ch in a)
            out.append(a)
        return out

    def transaction(self):
        steps = [(0, ["MULTI"])]
        for _ in range(self.rng.randint(0, 5)):
            steps += [(0, a) for a in with_type_first(self.family_command())]
        if self.chance(0.1):
            steps.append((0, ["MULTI"]))  # nested MULTI: an error, the transaction goes on
        if self.chance(0.05):
            steps.append((0, ["WATCH", self.key()]))
        if self.chance(0.1):
            steps.append((0, ["NOSUCHCOMMAND", "x"]))  # queued error -> EXECABORT
        end = "DISCARD" if self.chance(0.15) else "EXEC"
        if self.chance(0.05):
            steps.append((0, [end, self.junk()]))  # wrong arity: EXECABORT, MULTI ends
        else:
            steps.append((0, [end]))
        return steps

    def watch_block(self):
        watched = self.keys(1, 2)
        steps = [(0, ["WATCH"] + watched)]
        if self.chance(0.5):
            # another client, may touch a watched key
            steps += [(1, a) for a in with_type_first(self.family_command())]
        if self.chance(0.2):
            steps.append((0, ["UNWATCH"]))
        steps.append((0, ["MULTI"]))
        for _ in range(self.rng.randint(1, 3)):
            steps += [(0, a) for a in with_type_first(self.family_command())]
        steps.append((0, ["EXEC"]))
        return steps

    # -- strings -----------------------------------------------------------------------------
    def strings(self):
        k = self.key()
        c = self.rng.randint(0, 28)
        if c == 0:
            args = ["SET", k, self.value()]
            opts = []
            if self.chance(0.3):
                # SET stores a key whose absolute expiry has passed and leaves it to be
                # reclaimed later, and DBSIZE counts it until then: past times are for EXPIREAT
                opts += self.pick([["EX", self.ttl_seconds()], ["PX", self.ttl_ms()],
                                   ["EXAT", self.abs_seconds(past=False)],
                                   ["PXAT", self.abs_ms(past=False)],
                                   ["KEEPTTL"]])
            if self.chance(0.3):
                opts.append(self.pick(["NX", "XX"]))
            if self.chance(0.2):
                opts.append("GET")
            if self.chance(0.05):
                opts.append(self.junk())
            self.rng.shuffle(opts) if self.chance(0.2) else None
            return args + opts
        if c == 1:
            return ["GET", k]
        if c == 2:
            return [self.pick(["SETNX", "GETSET"]), k, self.value()]
        if c == 3:
            if self.chance(0.5):
                return ["SETEX", k, self.ttl_seconds(), self.value()]
            return ["PSETEX", k, self.ttl_ms(), self.value()]
        if c == 4:
            return ["GETDEL", k]
        if c == 5:
            opts = self.pick([[], ["PERSIST"], ["EX", 10 ** 6], ["PX", 5 * 10 ** 9],
                              ["EXAT", self.now + 10 ** 7], ["PXAT", (self.now + 10 ** 7) * 1000],
                              ["PERSIST", "EX", 10]])
            if self.chance(0.2):
                opts = [self.pick(["EX", "PX", "EXAT"]), self.pick([0, -1, "x", LLONG_MAX])]
            return ["GETEX", k] + opts
        if c == 6:
            return ["MGET"] + self.keys()
        if c == 7:
            pairs = []
            for _ in range(self.rng.randint(1, 3)):
                pairs += [self.key(), self.value()]
            return [self.pick(["MSET", "MSETNX"])] + pairs
        if c == 8:
            return ["APPEND", k, self.value()]
        if c == 9:
            return ["STRLEN", k]
        if c in (10, 11):
            return [self.pick(["INCR", "DECR"]), k]
        if c == 12:
            return [self.pick(["INCRBY", "DECRBY"]), k, self.integer()]
        if c == 13:
            return ["INCRBYFLOAT", k, self.pick(FLOATS)]
        if c == 14:
            return ["SETRANGE", k, self.pick([0, 1, 3, 10, 100, -1, 536870912, "x"]),
                    self.value()]
        if c == 15:
            return [self.pick(["GETRANGE", "SUBSTR"]), k, self.integer(), self.integer()]
        if c == 16:
            args = ["LCS", k, self.key()]
            opt = self.pick([[], ["LEN"], ["IDX"], ["IDX", "MINMATCHLEN", self.integer()],
                             ["IDX", "WITHMATCHLEN"], ["LEN", "IDX"], ["FOO"]])
            return args + opt
        if c == 17:
            return ["SET", k, self.pick(["abcde", "ohmytext", "1234", "hello", "abcabc"])]
        if c == 18:
            # REFCOUNT: Redis shares the integers 0..9999 (refcount 2147483647)
            return ["OBJECT", self.pick(["ENCODING", "ENCODING", "REFCOUNT", "FOO", "HELP",
                                         b"FO\x00O"]), k]
        if c == 19:
            return ["INCRBY", k, self.pick(SMALL_INTS)]
        if c == 20:
            return ["SET", k, self.pick(SMALL_INTS + [LLONG_MAX, LLONG_MIN, 1 << 40])]
        if c == 21:
            return ["GETEX", k, self.pick(["PERSIST", "EX", "PX", "FOO"])]
        if c == 22:
            return ["STRLEN", k]
        if c == 23:
            return ["SET", k, self.value(), self.pick(["EX", "PX"]), self.pick([0, -1, "x"])]
        if c == 24:
            # embstr/raw boundary (44 bytes) and integer-looking values that are not ints
            return ["SET", k, self.pick(["x" * 44, "x" * 45, "1" * 19, "1" * 20, "-0", "007",
                                         "+5", " 5", "5 ", "0x1", "1e3", "-9223372036854775809"])]
        if c == 25:
            return ["INCRBYFLOAT", k, self.pick(["1e-20", "0.1", "-0.1", "3.0", "1.23456789e17",
                                                 "17", "-17.5", "1e308", "5e-324"])]
        if c == 26:
            return ["APPEND", k, self.pick(["x" * 40, "1", "", "\x00"])]
        if c == 27:
            return [self.pick(["SETNX", "MSETNX", "GETSET", "SETEX", "APPEND", "INCR", "GET"])]
        return ["GET", k]

    # -- keys / expiry -----------------------------------------------------------------------
    def keyspace(self):
        k = self.key()
        c = self.rng.randint(0, 24)
        if c == 0:
            return [self.pick(["DEL", "UNLINK", "EXISTS", "TOUCH"])] + self.keys()
        if c == 1:
            return ["TYPE", k]
        if c == 2:
            src = self.plain_key()
            dst = self.plain_key() if self.chance(0.9) else src
            return [self.pick(["RENAME", "RENAMENX"]), src, dst]
        if c == 3:
            args = ["COPY", self.plain_key(), self.plain_key()]
            if self.chance(0.3):
                args += ["DB", self.pick([0, 1, 1, 16, -1, "x"])]
            if self.chance(0.4):
                args.append("REPLACE")
            return args
        if c == 4:
            return ["KEYS", self.pick(["*", "k*", "k[1-3]", "lex?", "*1", "k\\*", "[", "?"])]
        if c == 5:
            return ["DBSIZE"]
        if c in (6, 7):
            args = [self.pick(["EXPIRE", "PEXPIRE"]), k]
            args.append(self.ttl_seconds() if args[0] == "EXPIRE" else self.ttl_ms())
            if self.chance(0.3):
                args += self.pick([["NX"], ["XX"], ["GT"], ["LT"], ["NX", "XX"], ["GT", "LT"],
                                   ["FOO"], ["XX", "GT"]])
            return args
        if c == 8:
            args = [self.pick(["EXPIREAT", "PEXPIREAT"]), k]
            args.append(self.abs_seconds() if args[0] == "EXPIREAT" else self.abs_ms())
            if self.chance(0.3):
                args.append(self.pick(["NX", "XX", "GT", "LT"]))
            return args
        if c in (9, 10):
            return [self.pick(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), k]
        if c == 11:
            return ["PERSIST", k]
        if c == 12:
            return ["MOVE", self.plain_key(), self.pick([0, 1, 1, 16, "x"])]
        if c == 13:
            return ["SWAPDB", self.pick([0, 1]), self.pick([0, 1, 16, "x"])]
        if c == 14:
            return ["FLUSHDB"] if self.chance(0.3) else ["EXISTS", k, k]
        if c == 15:
            return ["OBJECT", "ENCODING", k]
        if c == 16:
            return ["ECHO", self.value()]
        if c == 17:
            return ["PING"] + ([self.value()] if self.chance(0.5) else [])
        if c == 18:
            return ["SORT"] + self.sort_args()
        if c == 19:
            return ["SORT_RO"] + self.sort_args(store=False)
        if c == 20:
            return ["RANDOMKEY"]
        if c == 21:
            return ["OBJECT", self.pick(["FOO", "help"])]
        if c == 22:
            return [self.pick(["GETX", "SETT", "FOO", b"GE\x00T"]), k]  # unknown commands
        return ["EXISTS"] + self.keys()

    def sort_args(self, store=True):
        args = [self.plain_key()]
        store = store and self.chance(0.2)
        if store:
            # A STOREd SORT is always ALPHA without a BY pattern: numeric sorting can fail in
            # Redis on a stale errno (normalise.REDIS_QUIRKS["sort-stale-errno"]), and ALPHA
            # with a BY pattern stores ties in an undefined order.
            if self.chance(0.2):
                args += ["BY", "nosort"]
        elif self.chance(0.3):
            args += ["BY", self.pick(["nosort", "k*", "k*->f1", "w_*", "#", "*"])]
        if self.chance(0.3):
            args += ["LIMIT", self.integer(), self.integer()]
        for _ in range(self.rng.randint(0, 2)):
            args += ["GET", self.pick(["#", "k*", "k*->f1", "k*->", "nope*"])]
        if self.chance(0.3):
            args.append(self.pick(["ASC", "DESC"]))
        if store or self.chance(0.4):
            args.append("ALPHA")
        if store:
            args += ["STORE", self.plain_key()]
        if self.chance(0.03):
            args.append(self.junk())
        return args

    # -- lists -------------------------------------------------------------------------------
    def long_element(self, i=None):
        i = self.rng.randint(0, 12) if i is None else i % 13
        return f"e{i}".ljust(40, "x")

    def lists(self):
        k = self.plain_key() if self.chance(0.9) else self.key()
        c = self.rng.randint(0, 24)
        if c in (0, 1):
            return [self.pick(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), k] + [
                self.value() for _ in range(self.rng.randint(1, 4))]
        if c == 2:
            args = [self.pick(["LPOP", "RPOP"]), k]
            if self.chance(0.4):
                args.append(self.integer())
            return args
        if c == 3:
            return ["LLEN", k]
        if c in (4, 5):
            return ["LRANGE", k, self.integer(), self.integer()]
        if c == 6:
            return ["LINDEX", k, self.integer()]
        if c == 7:
            # Redis 7.2 truncates LSET's index to 32 bits where 7.0 does not: the oracle can
            # not check indexes beyond that (normalise.REDIS_7_0_TO_7_2["lset-int-index"])
            index = self.integer()
            if isinstance(index, int) and abs(index) >= 1 << 31:
                index = self.pick(SMALL_INTS)
            return ["LSET", k, index, self.value()]
        if c == 8:
            return ["LINSERT", k, self.pick(["BEFORE", "AFTER", "MIDDLE"]), self.value(),
                    self.value()]
        if c == 9:
            return ["LREM", k, self.integer(), self.value()]
        if c == 10:
            return ["LTRIM", k, self.integer(), self.integer()]
        if c == 11:
            args = ["LPOS", k, self.value()]
            for _ in range(self.rng.randint(0, 2)):
                args += [self.pick(["RANK", "COUNT", "MAXLEN", "FOO"]), self.integer()]
            return args
        if c == 12:
            return ["LMOVE", k, self.plain_key(), self.pick(["LEFT", "RIGHT", "UP"]),
                    self.pick(["LEFT", "RIGHT"])]
        if c == 13:
            return ["RPOPLPUSH", k, self.plain_key()]
        if c == 14:
            keys = [self.plain_key() for _ in range(self.rng.randint(1, 3))]
            args = ["LMPOP", self.pick([len(keys), len(keys), 0, -1, 5, "x"])] + keys
            args.append(self.pick(["LEFT", "RIGHT", "MID"]))
            if self.chance(0.4):
                args += ["COUNT", self.integer()]
            return args
        if c == 15:
            return ["LPUSH", k, self.value()]
        if c == 16:
            return ["LRANGE", k, 0, -1]
        if c == 17:
            return ["RPUSH", k] + [self.pick(["1", "2", "3", "10", "5", "-1", "a", "b"])
                                   for _ in range(self.rng.randint(1, 6))]
        if c == 18:
            return ["OBJECT", "ENCODING", k]
        if c == 19:
            return ["LINSERT", k, self.pick(["BEFORE", "AFTER"]), self.pick(MEMBERS),
                    self.value()]
        if c == 21:
            # long lists of 40-byte elements span several quicklist nodes (8 KB each)
            return [self.pick(["RPUSH", "LPUSH"]), k] + [
                self.long_element(i) for i in range(self.rng.randint(100, 500))]
        if c == 22:
            return self.pick([
                ["LREM", k, self.pick([0, 1, -2, 5]), self.long_element()],
                ["LPOS", k, self.long_element(), "RANK", self.pick([1, -1, 3]), "COUNT",
                 self.pick([0, 2])],
                ["LINSERT", k, self.pick(["BEFORE", "AFTER"]), self.long_element(),
                 self.value()],
                ["LSET", k, self.pick([0, 150, -150, 399, -1, 1000]), self.long_element()],
                ["LTRIM", k, self.pick([0, 1, 100, -300]), self.pick([-1, 200, -100, 3])],
                ["LRANGE", k, self.pick([0, 95, -200]), self.pick([-1, 120, -190])],
                ["LINDEX", k, self.pick([0, 170, -170, 333])],
            ])
        if c == 20:
            return ["LPOS", k, self.pick(MEMBERS + ["1", "2"]), "RANK", self.pick(
                [1, -1, 2, 0, LLONG_MIN, LLONG_MAX]), "COUNT", self.pick([0, 1, 2, -1])]
        return ["LINDEX", k, self.pick([0, -1, 1])]

    def blocking_in_multi(self):
        """Blocking commands inside MULTI never block (they act as their non-blocking form)."""
        k = self.plain_key()
        cmd = self.pick([
            ["BLPOP", k, self.plain_key(), 0], ["BRPOP", k, 1],
            ["BLMOVE", k, self.plain_key(), "LEFT", "RIGHT", 0],
            ["BRPOPLPUSH", k, self.plain_key(), 0], ["BLMPOP", 0, 1, k, "LEFT"],
            ["BZPOPMIN", k, 0], ["BZPOPMAX", k, self.plain_key(), 0],
            ["BZMPOP", 0, 2, k, self.plain_key(), "MIN", "COUNT", 2],
            ["BLPOP", k, "-1"], ["BLPOP", k, "x"],
        ])
        return [(0, ["MULTI"]), (0, cmd), (0, ["EXEC"])]

    # -- hashes ------------------------------------------------------------------------------
    def hashes(self):
        k = self.plain_key() if self.chance(0.9) else self.key()
        c = self.rng.randint(0, 20)
        if c in (0, 1):
            pairs = []
            for _ in range(self.rng.randint(1, 3)):
                pairs += [self.pick(FIELDS), self.value()]
            return [self.pick(["HSET", "HMSET"]), k] + pairs
        if c == 2:
            return ["HSETNX", k, self.pick(FIELDS), self.value()]
        if c == 3:
            return ["HGET", k, self.pick(FIELDS)]
        if c == 4:
            return ["HMGET", k] + [self.pick(FIELDS) for _ in range(self.rng.randint(1, 3))]
        if c == 5:
            return [self.pick(["HGETALL", "HKEYS", "HVALS", "HLEN"]), k]
        if c == 6:
            return ["HDEL", k] + [self.pick(FIELDS) for _ in range(self.rng.randint(1, 3))]
        if c == 7:
            return [self.pick(["HSTRLEN", "HEXISTS"]), k, self.pick(FIELDS)]
        if c == 8:
            return ["HINCRBY", k, self.pick(FIELDS), self.integer()]
        if c == 9:
            return ["HINCRBYFLOAT", k, self.pick(FIELDS), self.pick(FLOATS)]
        if c == 10:
            args = ["HRANDFIELD", k]
            if self.chance(0.7):
                args.append(self.pick([1, 2, 5, 100, -1, -5, 0, "x", LLONG_MIN]))
                if self.chance(0.4):
                    args.append("WITHVALUES")
            return args
        if c == 11:
            return ["OBJECT", "ENCODING", k]
        if c == 12:
            # long values / many fields cross the listpack limits (64 bytes, 128 entries)
            return ["HSET", k, self.pick(FIELDS), "x" * self.pick([10, 64, 65, 100])]
        if c == 13:
            return ["HSET", k] + sum(([f"f{i}", str(i)] for i in range(
                self.rng.randint(1, 140))), [])
        if c == 14:
            return ["HSET", k, "g" * self.pick([64, 65]), "v"]
        if c == 15:
            return ["HINCRBYFLOAT", k, self.pick(FIELDS), self.pick(["1e-20", "0.1", "-3", "1e308",
                                                                     "5e-324", "2.5"])]
        if c == 16:
            return ["HINCRBY", k, self.pick(FIELDS), self.pick([LLONG_MAX, LLONG_MIN, 1, -1])]
        return ["HGETALL", k]

    # -- sets --------------------------------------------------------------------------------
    def sets(self):
        # never a lex key: a set in a ZUNIONSTORE source counts with score 1, next to 0 scores
        k = self.plain_key()
        c = self.rng.randint(0, 22)
        if c in (0, 1):
            return ["SADD", k] + self.members(1, 5)
        if c == 2:
            return ["SADD", k] + [str(self.rng.randint(-5, 600)) for _ in range(
                self.rng.randint(1, 8))]
        if c == 3:
            return ["SREM", k] + self.members()
        if c == 4:
            return [self.pick(["SCARD", "SMEMBERS"]), k]
        if c == 5:
            return ["SISMEMBER", k, self.member()]
        if c == 6:
            return ["SMISMEMBER", k] + self.members()
        if c == 7:
            return ["SMOVE", k, self.plain_key(), self.member()]
        if c == 8:
            return [self.pick(["SINTER", "SUNION", "SDIFF"])] + [self.plain_key() for _ in range(
                self.rng.randint(1, 3))]
        if c == 9:
            return [self.pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), self.plain_key()] + [
                self.plain_key() for _ in range(self.rng.randint(1, 3))]
        if c == 10:
            keys = [self.plain_key() for _ in range(self.rng.randint(1, 3))]
            args = ["SINTERCARD", self.pick([len(keys), len(keys), 0, -1, 9, "x"])] + keys
            if self.chance(0.4):
                args += ["LIMIT", self.integer()]
            return args
        if c == 11:
            args = ["SRANDMEMBER", k]
            if self.chance(0.7):
                args.append(self.pick([1, 2, 5, 100, -1, -5, 0, "x", LLONG_MIN]))
            return args
        if c == 12:
            # only SPOP forms whose effect is deterministic: pop all, none, or an error
            return ["SPOP", k, self.pick([0, 1000, LLONG_MAX, -1, "x"])]
        if c == 13:
            return ["OBJECT", "ENCODING", k]
        if c == 14:
            return ["SADD", k] + [f"m{i}" for i in range(self.rng.randint(100, 140))]
        if c == 15:
            return ["SADD", k, "x" * self.pick([10, 64, 65])]
        if c == 16:
            return ["SADD", k] + [str(i) for i in range(self.rng.randint(500, 520))]
        if c == 17:
            return ["SADD", k, self.pick(["007", "-0", "+1", " 1", "9223372036854775807",
                                          "-9223372036854775808", "9223372036854775808", "1.0"])]
        if c == 18:
            return ["SINTERCARD", self.pick([1, 2]), k, self.plain_key(), "LIMIT",
                    self.pick([0, 1, 2, -1])]
        return ["SMEMBERS", k]

    # -- sorted sets -------------------------------------------------------------------------
    def zsets(self):
        # plain keys, the lex keys (scores all 0) or the listpack zset keys (see the docstring)
        kind = self.pick(["plain", "plain", "plain", "lex", "listpack"])
        own_keys = {"lex": LEX_KEYS, "listpack": LISTPACK_ZSET_KEYS}.get(kind)
        pick_key = (lambda: self.pick(own_keys)) if own_keys else self.plain_key
        k = pick_key()
        lex = kind == "lex"
        lex_ranges = lex or (kind == "listpack" and self.zset_listpack_only)
        score = (lambda: "0") if lex else self.score
        c = self.rng.randint(0, 30)
        if c in (0, 1, 2):
            args = ["ZADD", k]
            if self.chance(0.3):
                args += self.rng.sample(["NX", "XX", "GT", "LT", "CH", "INCR"],
                                        self.rng.randint(1, 2))
            for _ in range(self.rng.randint(1, 4)):
                args += [score(), self.member()]
            return args
        if c == 3:
            return ["ZINCRBY", k, "0" if lex else self.score(), self.member()]
        if c == 4:
            return ["ZREM", k] + self.members()
        if c == 5:
            return ["ZCARD", k]
        if c == 6:
            return ["ZSCORE", k, self.member()]
        if c == 7:
            return ["ZMSCORE", k] + self.members()
        if c == 8:
            args = [self.pick(["ZRANK", "ZREVRANK"]), k, self.member()]
            return args
        if c in (9, 10):
            args = [self.pick(["ZRANGE", "ZREVRANGE"]), k, self.integer(), self.integer()]
            if self.chance(0.4):
                args.append("WITHSCORES")
            return args
        if c == 11:
            args = ["ZRANGE", k]
            mode = self.pick(["BYSCORE", "BYLEX", None] if lex_ranges else ["BYSCORE", None])
            if mode == "BYSCORE":
                args += [self.score_bound(), self.score_bound(), "BYSCORE"]
            elif mode == "BYLEX":
                args += [self.lex_bound(), self.lex_bound(), "BYLEX"]
            else:
                args += [self.integer(), self.integer()]
            if self.chance(0.3):
                args.append("REV")
            if self.chance(0.3):
                args += ["LIMIT", self.integer(), self.integer()]
            if self.chance(0.3) and mode != "BYLEX":
                args.append("WITHSCORES")
            return args
        if c == 12:
            cmd = self.pick(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZCOUNT"])
            args = [cmd, k, self.score_bound(), self.score_bound()]
            if cmd != "ZCOUNT":
                if self.chance(0.3):
                    args.append("WITHSCORES")
                if self.chance(0.3):
                    args += ["LIMIT", self.integer(), self.integer()]
            return args
        if c == 13 and lex_ranges:
            cmd = self.pick(["ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT", "ZREMRANGEBYLEX"])
            args = [cmd, k, self.lex_bound(), self.lex_bound()]
            if cmd in ("ZRANGEBYLEX", "ZREVRANGEBYLEX") and self.chance(0.3):
                args += ["LIMIT", self.integer(), self.integer()]
            return args
        if c == 14:
            return ["ZREMRANGEBYRANK", k, self.integer(), self.integer()]
        if c == 15:
            return ["ZREMRANGEBYSCORE", k, self.score_bound(), self.score_bound()]
        if c == 16:
            args = [self.pick(["ZPOPMIN", "ZPOPMAX"]), k]
            if self.chance(0.5):
                args.append(self.integer())
            return args
        if c == 17:
            keys = [pick_key() for _ in range(self.rng.randint(1, 3))]
            args = ["ZMPOP", self.pick([len(keys), len(keys), 0, -1, "x"])] + keys
            args.append(self.pick(["MIN", "MAX", "MID"]))
            if self.chance(0.4):
                args += ["COUNT", self.integer()]
            return args
        if c == 18:
            args = ["ZRANDMEMBER", k]
            if self.chance(0.7):
                args.append(self.pick([1, 2, 5, 100, -1, -5, 0, "x", LLONG_MIN]))
                if self.chance(0.4):
                    args.append("WITHSCORES")
            return args
        if c in (19, 20):
            return self.zset_algebra(pick_key, lex)
        if c == 21:
            args = ["ZRANGESTORE", pick_key(), pick_key()]
            if lex_ranges and self.chance(0.5):
                args += [self.lex_bound(), self.lex_bound(), "BYLEX"]
            elif self.chance(0.5):
                args += [self.score_bound(), self.score_bound(), "BYSCORE"]
            else:
                args += [self.integer(), self.integer()]
            if self.chance(0.3):
                args.append("REV")
            if self.chance(0.2):
                args += ["LIMIT", self.integer(), self.integer()]
            return args
        if c == 22:
            return ["OBJECT", "ENCODING", k]
        if c == 23 and kind == "plain":
            return ["ZADD", k] + sum(([str(i), f"m{i}"] for i in range(
                self.rng.randint(100, 140))), [])
        if c == 24 and kind == "plain":
            return ["ZADD", k, score(), "y" * self.pick([10, 64, 65])]
        return ["ZRANGE", k, 0, -1, "WITHSCORES"]

    def score_bound(self):
        b = self.pick(["-inf", "+inf", "0", "1", "(1", "2", "(0", "-1", "1.5", "(inf", "nan",
                       "x", "(", "5", "(-inf", "inf"])
        return b

    def lex_bound(self):
        return self.pick(["-", "+", "[a", "(a", "[c", "(b", "[", "(", "a", "[1", "(10", "[e",
                          "[\x00"])

    def zset_algebra(self, pick_key, lex):
        n = self.rng.randint(1, 3)
        keys = [pick_key() for _ in range(n)]
        cmd = self.pick(["ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE",
                         "ZDIFFSTORE", "ZINTERCARD"])
        numkeys = self.pick([n, n, n, 0, -1, n + 1, "x"])
        args = [cmd]
        if cmd.endswith("STORE"):
            args.append(pick_key())
        args += [numkeys] + keys
        if cmd == "ZINTERCARD":
            if self.chance(0.4):
                args += ["LIMIT", self.integer()]
            return args
        if cmd in ("ZUNION", "ZINTER", "ZUNIONSTORE", "ZINTERSTORE") and not lex:
            # not on the lex keys, whose scores must stay 0
            if self.chance(0.3):
                args += ["WEIGHTS"] + [self.pick(["1", "2", "-1", "0", "1.5", "inf", "x"])
                                       for _ in range(n)]
            if self.chance(0.3):
                args += ["AGGREGATE", self.pick(["SUM", "MIN", "MAX", "AVG"])]
        if not cmd.endswith("STORE") and self.chance(0.4):
            args.append("WITHSCORES")
        return args

    # -- streams -----------------------------------------------------------------------------
    def streams(self):
        k = self.plain_key() if self.chance(0.9) else self.key()
        c = self.rng.randint(0, 28)
        if c in (0, 1, 2):
            args = ["XADD", k]
            if self.chance(0.1):
                args.append("NOMKSTREAM")
            if self.chance(0.15):
                args += self.trim_args()
            args.append(self.stream_id(new=True))
            for _ in range(self.rng.randint(1, 2)):
                args += [self.pick(FIELDS), self.value()]
            return args
        if c == 3:
            return ["XLEN", k]
        if c in (4, 5):
            args = [self.pick(["XRANGE", "XREVRANGE"]), k, self.range_id(), self.range_id()]
            if self.chance(0.3):
                args += ["COUNT", self.integer()]
            return args
        if c == 6:
            return ["XDEL", k] + [self.pick(DELETABLE_IDS) for _ in range(self.rng.randint(1, 3))]
        if c == 7:
            return ["XTRIM", k] + self.trim_args()
        if c == 8:
            args = ["XREAD"]
            if self.chance(0.3):
                args += ["COUNT", self.integer()]
            keys = [self.plain_key() for _ in range(self.rng.randint(1, 2))]
            ids = [self.pick(["0", "0-0", "1", "2-1", "$", "5", "x"]) for _ in keys]
            if self.chance(0.05):
                ids = ids[:-1]
            return args + ["STREAMS"] + keys + ids
        if c in (9, 10):
            return ["XGROUP", "CREATE", k, self.pick(["g1", "g2"]),
                    self.pick(["0", "$", "1-1", "x"])] + (
                        ["MKSTREAM"] if self.chance(0.5) else []) + (
                        ["ENTRIESREAD", self.integer()] if self.chance(0.1) else [])
        if c in (11, 12):
            args = ["XREADGROUP", "GROUP", self.pick(["g1", "g2", "g3", b"g\x00x"]),
                    self.pick(["alice", "bob", b"c\x00d"])]
            if self.chance(0.3):
                args += ["COUNT", self.pick([1, 2, 0, -1, "x"])]
            if self.chance(0.2):
                args.append("NOACK")
            k = NUL_KEY if self.chance(0.05) else k
            return args + ["STREAMS", k, self.pick([">", ">", "0", "1-1", "x"])]
        if c == 13:
            return ["XACK", k, self.pick(["g1", "g2"])] + [
                self.stream_id() for _ in range(self.rng.randint(1, 3))]
        if c == 14:
            args = ["XPENDING", k, self.pick(["g1", "g2"])]
            if self.chance(0.6):
                if self.chance(0.2):
                    args += ["IDLE", self.pick([0, 100000000, -1, "x"])]
                args += [self.range_id(), self.range_id(), self.pick([10, 1, 0, -1, "x"])]
                if self.chance(0.4):
                    args.append(self.pick(["alice", "bob"]))
            return args
        if c == 15:
            # min-idle-time 0 claims regardless of time, so replies are deterministic
            args = ["XCLAIM", k, self.pick(["g1", "g2"]), self.pick(["alice", "bob"]),
                    self.pick([0, 0, "x", -1])] + [self.stream_id() for _ in range(
                        self.rng.randint(1, 2))]
            if self.chance(0.3):
                args.append("JUSTID")
            if self.chance(0.1):
                args += ["RETRYCOUNT", self.pick([0, 5, "x"])]
            if self.chance(0.1):
                args.append("FORCE")
            return args
        if c == 16:
            args = ["XAUTOCLAIM", k, self.pick(["g1", "g2"]), self.pick(["alice", "bob"]),
                    self.pick([0, 0, "x"]), self.range_id()]
            if self.chance(0.3):
                args += ["COUNT", self.pick([1, 10, 0, -1, "x"])]
            if self.chance(0.3):
                args.append("JUSTID")
            return args
        if c == 17:
            sub = self.pick(["SETID", "DESTROY", "CREATECONSUMER", "DELCONSUMER", "FOO"])
            if sub == "SETID":
                return ["XGROUP", sub, k, self.pick(["g1", "g2"]), self.pick(["0", "$", "1-1"])]
            if sub == "DESTROY":
                return ["XGROUP", sub, k, self.pick(["g1", "g2"])]
            if sub == "FOO":
                return ["XGROUP", sub, k]
            return ["XGROUP", sub, k, self.pick(["g1", "g2"]), self.pick(["alice", "bob", "c"])]
        if c == 18:
            return ["XINFO", self.pick(["STREAM", "GROUPS", "GROUPS", "FOO"]), k]
        if c == 20:
            return [self.pick(["XINFO", "XGROUP"]), "HELP"] + ([k] if self.chance(0.2) else [])
        if c == 19:
            return ["XSETID", k, self.pick(XSETID_IDS)] + (
                ["ENTRIESADDED", self.integer()] if self.chance(0.2) else [])
        if c == 21:
            return ["COMMAND", "GETKEYS"] + self.xread_for_getkeys(k, self.plain_key())
        if c == 22:
            return ["OBJECT", "ENCODING", k]
        if c == 23:
            return ["XGROUP", self.pick(["CREATE", "SETID", "DESTROY"]), k,
                    self.pick(["g1", b"g\x00x"]), "0"]
        return ["XRANGE", k, "-", "+"]

    def xread_for_getkeys(self, k1, k2):
        """XREAD / XREADGROUP forms for COMMAND GETKEYS, well formed or not."""
        return self.pick([
            ["XREAD", "STREAMS", k1, "0"],
            ["XREAD", "COUNT", 1, "BLOCK", 0, "STREAMS", k1, k2, "0", "$"],
            ["XREAD", "STREAMS", k1, k2, "0", "0", "junk"],
            ["XREAD", "STREAMS", k1, k2, "0"],
            ["XREAD", "STREAMS"],
            ["XREAD", "STREAMS", k1],
            ["XREAD", "streams", k1, "0"],
            ["XREAD", "COUNT", "STREAMS", k1, "0"],
            ["XREAD", "FOO", "STREAMS", k1, "0"],
            ["XREAD", "STREAMS", "STREAMS", k1, "0", "0"],
            ["XREAD", k1, "0"],
            ["XREADGROUP", "GROUP", "g1", "c", "STREAMS", k1, ">"],
            ["XREADGROUP", "GROUP", "g1", "c", "COUNT", 2, "NOACK", "STREAMS", k1, k2, ">", "0"],
            ["XREADGROUP", "GROUP", "g1", "c", "STREAMS", k1],
            ["XREADGROUP", "STREAMS", k1, ">"],
            ["XREADGROUP", "GROUP", "STREAMS", k1, ">"],
        ])

    def stream_id(self, new=False):
        if new and self.chance(0.3):
            return self.pick(["1-*", "5-*", "100-*", "18446744073709551615-*", "0-*", "x-*",
                              "18446744073709551615-18446744073709551615", "0-0", "-5-1"])
        return self.pick(["1-1", "1-2", "2-0", "3", "5-5", "0-1", "0-0", "10", "18446744073709551615-1",
                          "x", "1-x", "-1", "9-9", "100-3"])

    def range_id(self):
        return self.pick(["-", "+", "0", "1-1", "(1-1", "2", "(3", "5-5", "x", "(-", "10"])

    def trim_args(self):
        strategy = self.pick(["MAXLEN", "MINID", "FOO"])
        args = [strategy]
        if self.chance(0.3):
            args.append("~")
        elif self.chance(0.3):
            args.append("=")
        args.append(self.pick([0, 1, 2, 5, -1, "x"]) if strategy == "MAXLEN" else self.stream_id())
        if self.chance(0.1):
            args += ["LIMIT", self.pick([0, 10, -1])]
        return args

    # -- bits --------------------------------------------------------------------------------
    def bits(self):
        k = self.plain_key()
        c = self.rng.randint(0, 12)
        # bit offsets stay small: a valid huge one would make both servers allocate 512 MB
        offset = lambda: self.pick([0, 1, 7, 8, 15, 100, 1000, -1, 4294967296, "x"])
        if c in (0, 1):
            return ["SETBIT", k, offset(), self.pick([0, 1, 1, 2, "x"])]
        if c == 2:
            return ["GETBIT", k, offset()]
        if c in (3, 4):
            args = ["BITCOUNT", k]
            if self.chance(0.6):
                args += [self.integer(), self.integer()]
                if self.chance(0.4):
                    args.append(self.pick(["BIT", "BYTE", "FOO"]))
            return args
        if c in (5, 6):
            args = ["BITPOS", k, self.pick([0, 1, 2])]
            for _ in range(self.rng.randint(0, 2)):
                args.append(self.integer())
            if self.chance(0.3):
                args.append(self.pick(["BIT", "BYTE"]))
            return args
        if c == 7:
            op = self.pick(["AND", "OR", "XOR", "NOT", "FOO"])
            srcs = [self.plain_key() for _ in range(1 if op == "NOT" else self.rng.randint(1, 3))]
            return ["BITOP", op, self.plain_key()] + srcs
        if c in (8, 9):
            cmd = self.pick(["BITFIELD", "BITFIELD_RO"])
            args = [cmd, k]
            for _ in range(self.rng.randint(1, 3)):
                t = self.pick(["u8", "i8", "u1", "i64", "u63", "u64", "i16", "x"])
                off = self.pick([0, 3, "#1", 8, 100, -1])
                op = self.pick(["GET", "SET", "INCRBY", "OVERFLOW"])
                if op == "GET":
                    args += ["GET", t, off]
                elif op == "OVERFLOW":
                    args += ["OVERFLOW", self.pick(["WRAP", "SAT", "FAIL", "X"])]
                else:
                    args += [op, t, off, self.integer()]
            return args
        return ["GET", k]

    # -- SCAN family -------------------------------------------------------------------------
    def scans(self):
        """SCAN/SSCAN/HSCAN/ZSCAN with a COUNT that lets one call finish on these small
        collections (cursor 0 back, elements compared as a set), and their errors. A non-zero
        cursor would resume at a place that depends on each server's hash seed."""
        cmd, family = self.pick([("SCAN", None), ("SSCAN", "sets"), ("HSCAN", "hashes"),
                                 ("ZSCAN", "zsets")])
        self.affinity = AFFINITY.get(family, PLAIN_KEYS)
        args = [cmd]
        if cmd != "SCAN":
            args.append(self.key())
        args.append("0" if self.chance(0.9) else self.pick(
            ["x", "", " 0", "1.5", "-", "18446744073709551616", "0x0"]))
        opts = [["COUNT", self.pick([1000, 10000])]]
        if self.chance(0.5):
            opts.append(["MATCH", self.pick(["*", "k*", "f*", "*1*", "?", "m?", "[a-c]", "lex*",
                                             "x*", "*\x00*", "nul*", "[", "\\*"])])
        if cmd == "SCAN" and self.chance(0.4):
            opts.append(["TYPE", self.pick(["string", "list", "set", "zset", "hash", "stream",
                                            "STRING", "foo"])])
        self.rng.shuffle(opts)
        if self.chance(0.1):  # last, so that it cannot take the COUNT as its argument
            opts.append(self.pick([["COUNT", 0], ["COUNT", -1], ["COUNT", "x"], ["MATCH"],
                                   ["FOO", 1], ["TYPE", "set"], ["COUNT"],
                                   ["COUNT", LLONG_MAX]]))
        return args + sum(opts, [])

    # -- CONFIG SET of the encoding thresholds -----------------------------------------------
    def config(self):
        if self.chance(0.15):
            return ["CONFIG", "GET", self.pick(list(THRESHOLD_VALUES) + [
                "hash-max-ziplist-entries", "zset-max-ziplist-value", "list-max-ziplist-size"])]
        args = ["CONFIG", "SET"]
        for name in self.rng.sample(list(THRESHOLD_VALUES), self.pick([1, 1, 1, 2])):
            values = THRESHOLD_VALUES[name]
            if name in ZSET_LISTPACK_SAFE and not self.lower_zset_thresholds:
                values = [v for v in values if v >= ZSET_LISTPACK_SAFE[name]]
            value = self.pick(values + ["x", -1, 2 ** 31, ""])
            args += [name, value]
            if name in ZSET_LISTPACK_SAFE and isinstance(value, int) and \
                    0 <= value < ZSET_LISTPACK_SAFE[name]:
                self.zset_listpack_only = False
        return args

    # -- connection / misc -------------------------------------------------------------------
    def misc(self):
        c = self.rng.randint(0, 9)
        if c == 6:
            return self.pick([["HELLO", 4], ["HELLO", "x"], ["HELLO", 3, "AUTH", "a", "b"],
                              ["HELLO", 2, "FOO"], ["HELLO", 3, "SETNAME", "n m"]])
        if c == 7:
            return [self.pick(["EXEC", "DISCARD", "UNWATCH", "MULTI"])]
        if c == 8:
            return [self.pick(["PING", "ECHO", "DBSIZE", "TYPE"]), "a", "b", "c"]
        if c == 0:
            return ["PING"]
        if c == 1:
            return ["ECHO", self.value()]
        if c == 2:
            return ["EXISTS", self.key()]
        if c == 3:
            return ["TYPE", self.key()]
        return ["DBSIZE"]

    FAMILIES = [strings, strings, keyspace, keyspace, lists, lists, hashes, sets, sets, zsets,
                zsets, zsets, streams, streams, bits, misc, scans]


def with_type_first(args):
    """OBJECT ENCODING comes after a TYPE of its key: normalise.py needs the type to read
    Redis 7.0's encodings as 7.2's (REDIS_7_0_TO_7_2["small-list-set-encoding"])."""
    if len(args) == 3 and str(args[0]).upper() == "OBJECT" and \
            str(args[1]).upper() == "ENCODING":
        return [["TYPE", args[2]], args]
    return [args]


def generate(seed, count):
    """The first `count` steps (or a little more: units are not split) of a seed's sequence."""
    gen = Generator(seed)
    out = []
    while len(out) < count:
        if gen.chance(0.01):
            out += gen.blocking_in_multi()
        else:
            out += gen.steps()
    return out
