"""Bit commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO."""

import random

import pytest

NOT_INT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
BAD_OFFSET = "ERR bit offset is not an integer or out of range"
BAD_TYPE = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


# ------------------------------------------------------------ model helpers


def py_bitcount(data, start=None, end=None, unit="BYTE"):
    if start is None:
        return sum(bin(b).count("1") for b in data)
    if start < 0 and end < 0 and start > end:
        return 0
    n = len(data) if unit == "BYTE" else len(data) * 8
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = max(start, 0)
    end = max(end, 0)
    end = min(end, n - 1)
    if start > end or n == 0:
        return 0
    if unit == "BYTE":
        return sum(bin(b).count("1") for b in data[start:end + 1])
    return sum((data[i // 8] >> (7 - i % 8)) & 1 for i in range(start, end + 1))


def bit_at(data, i):
    return (data[i // 8] >> (7 - i % 8)) & 1


# ------------------------------------------------------------ SETBIT GETBIT


def test_setbit_getbit_basic(r, c):
    assert c.call("SETBIT", "b", 7, 1) == 0
    assert c.call("GET", "b") == b"\x01"
    assert c.call("SETBIT", "b", 7, 1) == 1
    assert c.call("SETBIT", "b", 0, 1) == 0
    assert c.call("GET", "b") == b"\x81"
    assert c.call("GETBIT", "b", 0) == 1
    assert c.call("GETBIT", "b", 1) == 0
    assert c.call("GETBIT", "b", 7) == 1
    assert c.call("GETBIT", "b", 100) == 0
    assert c.call("GETBIT", "missing", 5) == 0
    assert c.call("SETBIT", "b", 7, 0) == 1
    assert c.call("GET", "b") == b"\x80"


def test_setbit_grows_with_zero_bytes(r, c):
    assert c.call("SETBIT", "b", 100, 1) == 0
    assert c.call("STRLEN", "b") == 13
    value = c.call("GET", "b")
    assert value[:12] == b"\x00" * 12 and value[12] == 0x08
    # setting a 0 bit far away still grows the string
    assert c.call("SETBIT", "z", 23, 0) == 0
    assert c.call("GET", "z") == b"\x00\x00\x00"


def test_setbit_on_integer_encoded_string(r, c):
    c.call("SET", "n", 1)  # '1' = 0x31 = 00110001
    assert c.call("GETBIT", "n", 2) == 1
    assert c.call("GETBIT", "n", 1) == 0
    assert c.call("SETBIT", "n", 6, 1) == 0  # 00110011 = '3'
    assert c.call("GET", "n") == b"3"
    assert c.call("INCR", "n") == 4


def test_setbit_errors(r, c):
    assert c.error("SETBIT", "b", 0, 2) == "ERR bit is not an integer or out of range"
    assert c.error("SETBIT", "b", 0, -1) == "ERR bit is not an integer or out of range"
    assert c.error("SETBIT", "b", 0, "x") == "ERR bit is not an integer or out of range"
    assert c.error("SETBIT", "b", -1, 1) == BAD_OFFSET
    assert c.error("SETBIT", "b", 4294967296, 1) == BAD_OFFSET
    assert c.error("SETBIT", "b", "x", 1) == BAD_OFFSET
    assert c.error("GETBIT", "b", -1) == BAD_OFFSET
    assert c.error("GETBIT", "b", 4294967296) == BAD_OFFSET
    assert c.error("SETBIT", "b", 1) == arity("setbit")
    assert c.error("GETBIT", "b") == arity("getbit")
    assert c.call("EXISTS", "b") == 0


def test_bit_commands_wrongtype(r, c):
    c.call("LPUSH", "l", "a")
    assert c.error("SETBIT", "l", 0, 1) == WRONGTYPE
    assert c.error("GETBIT", "l", 0) == WRONGTYPE
    assert c.error("BITCOUNT", "l") == WRONGTYPE
    assert c.error("BITPOS", "l", 1) == WRONGTYPE
    assert c.error("BITFIELD", "l", "GET", "u8", 0) == WRONGTYPE
    assert c.error("BITFIELD_RO", "l", "GET", "u8", 0) == WRONGTYPE
    c.call("SET", "s", "x")
    assert c.error("BITOP", "AND", "d", "s", "l") == WRONGTYPE
    assert c.call("EXISTS", "d") == 0


def test_setbit_random_against_model(r, c):
    rnd = random.Random(1234)
    model = bytearray()
    for _ in range(400):
        off = rnd.randrange(0, 2000)
        bit = rnd.randrange(0, 2)
        if off // 8 >= len(model):
            model.extend(b"\x00" * (off // 8 + 1 - len(model)))
        old = bit_at(model, off)
        if bit:
            model[off // 8] |= 0x80 >> (off % 8)
        else:
            model[off // 8] &= ~(0x80 >> (off % 8)) & 0xFF
        assert c.call("SETBIT", "b", off, bit) == old
    assert c.call("GET", "b") == bytes(model)
    for _ in range(100):
        off = rnd.randrange(0, 2100)
        expect = bit_at(model, off) if off // 8 < len(model) else 0
        assert c.call("GETBIT", "b", off) == expect


# ------------------------------------------------------------ BITCOUNT


def test_bitcount(r, c):
    c.call("SET", "s", "foobar")
    assert c.call("BITCOUNT", "s") == 26
    assert c.call("BITCOUNT", "s", 0, 0) == 4
    assert c.call("BITCOUNT", "s", 1, 1) == 6
    assert c.call("BITCOUNT", "s", -2, -1) == 7
    assert c.call("BITCOUNT", "s", 1, 1, "BIT") == 1
    assert c.call("BITCOUNT", "s", 5, 30, "BIT") == 17
    assert c.call("BITCOUNT", "s", 0, -1, "BYTE") == 26
    assert c.call("BITCOUNT", "s", 0, -1, "bit") == 26
    assert c.call("BITCOUNT", "s", 4, 2) == 0
    assert c.call("BITCOUNT", "missing") == 0
    assert c.call("BITCOUNT", "missing", 0, 1, "BIT") == 0


def test_bitcount_clamps_negative_end(r, c):
    # Redis 7.2 clamps an end before the start of the string to 0.
    c.call("SET", "s", "foobar")
    assert c.call("BITCOUNT", "s", 0, -100) == 4
    assert c.call("BITCOUNT", "s", -100, -100) == 4


def test_bitcount_random_against_model(r, c):
    rnd = random.Random(99)
    for size in [0, 1, 7, 8, 9, 31, 100, 257, 1000]:
        data = bytes(rnd.randrange(256) for _ in range(size))
        c.call("SET", "s", data)
        assert c.call("BITCOUNT", "s") == py_bitcount(data)
        for _ in range(15):
            a = rnd.randrange(-size - 3, size + 3)
            b = rnd.randrange(-size - 3, size + 3)
            assert c.call("BITCOUNT", "s", a, b) == py_bitcount(data, a, b), (size, a, b)
            a = rnd.randrange(-8 * size - 3, 8 * size + 3)
            b = rnd.randrange(-8 * size - 3, 8 * size + 3)
            assert c.call("BITCOUNT", "s", a, b, "BIT") == py_bitcount(data, a, b, "BIT"), (size, a, b)


def test_bitcount_errors(r, c):
    c.call("SET", "s", "foobar")
    assert c.error("BITCOUNT", "s", 0) == SYNTAX
    assert c.error("BITCOUNT", "s", 0, 1, "FOO") == SYNTAX
    assert c.error("BITCOUNT", "s", 0, 1, "BIT", "x") == SYNTAX
    assert c.error("BITCOUNT", "s", "a", "b") == NOT_INT
    assert c.error("BITCOUNT") == arity("bitcount")


# ------------------------------------------------------------ BITPOS


def test_bitpos(r, c):
    c.call("SET", "s", b"\xff\xf0\x00")
    assert c.call("BITPOS", "s", 0) == 12
    assert c.call("BITPOS", "s", 1) == 0
    c.call("SET", "s2", b"\x00\xff\xf0")
    assert c.call("BITPOS", "s2", 1, 0) == 8
    assert c.call("BITPOS", "s2", 1, 2) == 16
    assert c.call("BITPOS", "s2", 1, 2, -1, "BYTE") == 16
    assert c.call("BITPOS", "s2", 1, 7, 15, "BIT") == 8
    assert c.call("BITPOS", "s2", 0, 8, 15, "BIT") == -1
    assert c.call("BITPOS", "s2", 1, 0, -1, "bit") == 8
    assert c.call("BITPOS", "s2", 1, -1, -100) == -1


def test_bitpos_all_ones(r, c):
    c.call("SET", "ff", b"\xff\xff\xff")
    # without an explicit end, the string is considered right-padded with zeros
    assert c.call("BITPOS", "ff", 0) == 24
    assert c.call("BITPOS", "ff", 0, 0) == 24
    # with an explicit end, no clear bit is found
    assert c.call("BITPOS", "ff", 0, 0, -1) == -1
    assert c.call("BITPOS", "ff", 0, 0, 23, "BIT") == -1


def test_bitpos_missing_and_empty(r, c):
    assert c.call("BITPOS", "missing", 0) == 0
    assert c.call("BITPOS", "missing", 1) == -1
    c.call("SET", "z", b"\x00\x00")
    assert c.call("BITPOS", "z", 1) == -1
    assert c.call("BITPOS", "z", 0) == 0
    assert c.call("BITPOS", "z", 0, 5, 3) == -1


def test_bitpos_random_against_model(r, c):
    rnd = random.Random(7)
    for size in [1, 2, 5, 16, 33, 200]:
        for density in (0.02, 0.5, 0.98):
            bits = [1 if rnd.random() < density else 0 for _ in range(size * 8)]
            data = bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))
            c.call("SET", "s", data)
            for bit in (0, 1):
                for _ in range(4):
                    a = rnd.randrange(0, size * 8)
                    b = rnd.randrange(a, size * 8)
                    window = bits[a:b + 1]
                    expect = a + window.index(bit) if bit in window else -1
                    assert c.call("BITPOS", "s", bit, a, b, "BIT") == expect
                    ab, bb = a // 8, b // 8
                    window = bits[ab * 8:(bb + 1) * 8]
                    expect = ab * 8 + window.index(bit) if bit in window else -1
                    assert c.call("BITPOS", "s", bit, ab, bb) == expect


def test_bitpos_errors(r, c):
    c.call("SET", "s", "abc")
    assert c.error("BITPOS", "s", 2) == "ERR The bit argument must be 1 or 0."
    assert c.error("BITPOS", "s", 1, 0, 1, "FOO") == SYNTAX
    assert c.error("BITPOS", "s", 1, "a") == NOT_INT
    assert c.error("BITPOS", "s") == arity("bitpos")


# ------------------------------------------------------------ BITOP


def test_bitop(r, c):
    c.call("SET", "a", b"\x0f\xf0")
    c.call("SET", "b", b"\xff")
    assert c.call("BITOP", "AND", "d", "a", "b") == 2
    assert c.call("GET", "d") == b"\x0f\x00"
    assert c.call("BITOP", "OR", "d", "a", "b") == 2
    assert c.call("GET", "d") == b"\xff\xf0"
    assert c.call("BITOP", "XOR", "d", "a", "b") == 2
    assert c.call("GET", "d") == b"\xf0\xf0"
    assert c.call("BITOP", "NOT", "d", "a") == 2
    assert c.call("GET", "d") == b"\xf0\x0f"
    assert c.call("BITOP", "or", "d", "a", "missing") == 2
    assert c.call("GET", "d") == b"\x0f\xf0"
    assert c.call("BITOP", "and", "d", "a", "missing") == 2
    assert c.call("GET", "d") == b"\x00\x00"


def test_bitop_random_against_model(r, c):
    rnd = random.Random(5)
    for _ in range(10):
        srcs = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 40))) for _ in range(3)]
        for i, s in enumerate(srcs):
            c.call("SET", f"s{i}", s)
        n = max(len(s) for s in srcs)
        padded = [s + b"\x00" * (n - len(s)) for s in srcs]
        exp_and = bytes(x & y & z for x, y, z in zip(*padded))
        exp_or = bytes(x | y | z for x, y, z in zip(*padded))
        exp_xor = bytes(x ^ y ^ z for x, y, z in zip(*padded))
        for op, exp in (("AND", exp_and), ("OR", exp_or), ("XOR", exp_xor)):
            assert c.call("BITOP", op, "dest", "s0", "s1", "s2") == n
            assert (c.call("GET", "dest") or b"") == exp
        assert c.call("BITOP", "NOT", "dest", "s0") == len(srcs[0])
        assert (c.call("GET", "dest") or b"") == bytes(~x & 0xFF for x in srcs[0])


def test_bitop_empty_result_deletes_dest(r, c):
    c.call("SET", "d", "old")
    assert c.call("BITOP", "AND", "d", "x", "y") == 0
    assert c.call("EXISTS", "d") == 0


def test_bitop_overwrites_dest_and_ttl(r, c):
    c.call("SET", "a", "x")
    c.call("SET", "d", "previous", "EX", 100)
    assert c.call("BITOP", "OR", "d", "a") == 1
    assert c.call("GET", "d") == b"x"
    assert c.call("TTL", "d") == -1


def test_bitop_errors(r, c):
    c.call("SET", "a", "x")
    assert c.error("BITOP", "NOT", "d", "a", "a") == "ERR BITOP NOT must be called with a single source key."
    assert c.error("BITOP", "FOO", "d", "a") == SYNTAX
    assert c.error("BITOP", "AND", "d") == arity("bitop")
    assert c.call("EXISTS", "d") == 0


# ------------------------------------------------------------ BITFIELD


def test_bitfield_set_get_incrby(r, c):
    assert c.call("BITFIELD", "bf", "SET", "u8", 0, 255, "GET", "u8", 0) == [0, 255]
    assert c.call("BITFIELD", "bf", "INCRBY", "u8", 0, 10) == [9]
    assert c.call("BITFIELD", "bf", "SET", "i8", 0, -128, "GET", "i8", 0, "INCRBY", "i8", 0, -1) == [9, -128, 127]
    assert c.call("BITFIELD", "bf", "SET", "u8", "#1", 7, "GET", "u8", 8, "GET", "u8", "#1") == [0, 7, 7]
    assert c.call("GET", "bf") == b"\x7f\x07"


def test_bitfield_overflow_modes(r, c):
    c.call("BITFIELD", "bf", "SET", "u8", 0, 9)
    assert c.call("BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u8", 0, 250) == [3]
    assert c.call("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u8", 0, 250) == [253]
    assert c.call("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u8", 0, 250) == [255]
    assert c.call("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 1) == [None]
    assert c.call("BITFIELD", "bf", "GET", "u8", 0) == [255]
    assert c.call("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", 0, -1) == [254]
    # OVERFLOW applies to the following operations only
    assert c.call("BITFIELD", "bf", "INCRBY", "u8", 0, 2, "OVERFLOW", "SAT", "INCRBY", "u8", 0, 300) == [0, 255]
    c.call("BITFIELD", "bf", "SET", "i8", 0, 100)
    assert c.call("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", 0, 100) == [127]
    assert c.call("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", 0, -300) == [-128]
    assert c.call("BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i8", 0, -1) == [127]
    assert c.call("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", 0, 1) == [None]


def test_bitfield_set_truncates_value(r, c):
    assert c.call("BITFIELD", "bf", "SET", "u2", 0, 5) == [0]
    assert c.call("BITFIELD", "bf", "GET", "u2", 0) == [1]
    assert c.call("BITFIELD", "bf", "SET", "i4", 0, 17, "GET", "i4", 0) == [4, 1]


def test_bitfield_wide_types(r, c):
    assert c.call("BITFIELD", "bf", "SET", "i64", 0, -1, "GET", "i64", 0) == [0, -1]
    assert c.call("BITFIELD", "bf", "GET", "u63", 0) == [9223372036854775807]
    assert c.call("BITFIELD", "bf", "SET", "u63", 1, 1, "GET", "u63", 1) == [9223372036854775807, 1]
    assert c.call("BITFIELD", "bf", "GET", "i64", 0) == [-(1 << 63) + 1]


def test_bitfield_unaligned_against_model(r, c):
    rnd = random.Random(42)
    model = 0  # big-endian bit string as an int over NBITS bits
    nbits = 256
    c.call("SET", "bf", b"\x00" * (nbits // 8))
    for _ in range(200):
        signed = rnd.random() < 0.5
        width = rnd.randrange(1, 65 if signed else 64)
        off = rnd.randrange(0, nbits - width)
        shift = nbits - off - width
        mask = (1 << width) - 1
        value = rnd.randrange(-(1 << 62), 1 << 62)
        t = ("i" if signed else "u") + str(width)
        old_raw = (model >> shift) & mask
        old = old_raw - (1 << width) if signed and old_raw >> (width - 1) else old_raw
        assert c.call("BITFIELD", "bf", "SET", t, off, value) == [old], (t, off)
        model = (model & ~(mask << shift)) | ((value & mask) << shift)
    assert c.call("GET", "bf") == model.to_bytes(nbits // 8, "big")


def test_bitfield_missing_key(r, c):
    assert c.call("BITFIELD", "missing", "GET", "u8", 0) == [0]
    assert c.call("EXISTS", "missing") == 0
    assert c.call("BITFIELD", "bf") == []
    assert c.call("BITFIELD", "bf", "OVERFLOW", "SAT") == []
    assert c.call("EXISTS", "bf") == 0


def test_bitfield_errors(r, c):
    assert c.error("BITFIELD", "bf", "SET", "u64", 0, 1) == BAD_TYPE
    assert c.error("BITFIELD", "bf", "GET", "i65", 0) == BAD_TYPE
    assert c.error("BITFIELD", "bf", "SET", "i0", 0, 1) == BAD_TYPE
    assert c.error("BITFIELD", "bf", "SET", "x8", 0, 1) == BAD_TYPE
    assert c.error("BITFIELD", "bf", "GET", "u8", -1) == BAD_OFFSET
    assert c.error("BITFIELD", "bf", "GET", "u8", "a") == BAD_OFFSET
    assert c.error("BITFIELD", "bf", "SET", "u8", 4294967296, 1) == BAD_OFFSET
    assert c.error("BITFIELD", "bf", "SET", "u8", 0, "a") == NOT_INT
    assert c.error("BITFIELD", "bf", "INCRBY", "u8", 0, "a") == NOT_INT
    assert c.error("BITFIELD", "bf", "OVERFLOW", "FOO", "GET", "u8", 0) == "ERR Invalid OVERFLOW type specified"
    assert c.error("BITFIELD", "bf", "FOO") == SYNTAX
    assert c.error("BITFIELD", "bf", "GET", "u8") == SYNTAX
    assert c.error("BITFIELD") == arity("bitfield")
    # an error anywhere means nothing is executed
    assert c.error("BITFIELD", "bf", "SET", "u8", 0, 1, "GET", "u64", 0) == BAD_TYPE
    assert c.call("EXISTS", "bf") == 0


def test_bitfield_ro(r, c):
    c.call("SET", "bf", b"\x7f\x07")
    assert c.call("BITFIELD_RO", "bf", "GET", "u8", 0, "GET", "i4", 12) == [127, 7]
    assert c.call("BITFIELD_RO", "missing", "GET", "u8", 0) == [0]
    ro_only = "ERR BITFIELD_RO only supports the GET subcommand"
    assert c.error("BITFIELD_RO", "bf", "SET", "u8", 0, 1) == ro_only
    assert c.error("BITFIELD_RO", "bf", "INCRBY", "u8", 0, 1) == ro_only
    assert c.error("BITFIELD_RO", "bf", "GET", "u64", 0) == BAD_TYPE
    assert c.error("BITFIELD_RO") == arity("bitfield_ro")
    assert c.call("GET", "bf") == b"\x7f\x07"
