"""GEO commands: GEOADD GEODIST GEOHASH GEOPOS GEOSEARCH GEOSEARCHSTORE GEORADIUS
GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO: every option and error text, RESP2 and
RESP3 reply shapes, the store forms and their keys, COMMAND INFO rows; and a side-by-side run
against Debian's redis-server (7.0.15, whose geo code is Redis 7.2's) over random seeded
points and queries, poles and the antimeridian included, comparing the exact reply bytes."""

import os
import random
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import RawConnection, RespError, free_port

NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
BAD_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI"
BAD_MEMBER = "ERR could not decode requested zset member"
ANY_NEEDS_COUNT = "ERR the ANY argument requires COUNT argument"
COUNT_POSITIVE = "ERR COUNT must be > 0"

PALERMO = (13.361389, 38.115556)
CATANIA = (15.087269, 37.502669)


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def sicily(c):
    assert c.call("GEOADD", "Sicily", *PALERMO, "Palermo", *CATANIA, "Catania") == 2


def nyc(c):
    """The points of Redis's own unit/geo tests."""
    assert c.call("GEOADD", "nyc",
                  -73.9454966, 40.747533, "lic market",
                  -73.9733487, 40.7648057, "central park n/q/r",
                  -73.9903085, 40.7362513, "union square",
                  -74.0131604, 40.7126674, "wtc one",
                  -73.7858139, 40.6428986, "jfk",
                  -73.9375699, 40.7498929, "q4",
                  -73.9564142, 40.7480973, "4545") == 7


# ---------------------------------------------------------------- GEOADD


def test_geoadd_scores_are_52_bit_geohashes(c):
    sicily(c)
    assert c.call("ZSCORE", "Sicily", "Palermo") == b"3479099956230698"
    assert c.call("ZSCORE", "Sicily", "Catania") == b"3479447370796909"
    assert c.call("TYPE", "Sicily") == b"zset"
    assert c.call("ZCARD", "Sicily") == 2


def test_geoadd_update_and_options(c):
    sicily(c)
    assert c.call("GEOADD", "Sicily", 13, 38, "Palermo") == 0
    assert c.call("GEOADD", "Sicily", "CH", 13.5, 38, "Palermo", 1, 1, "new") == 2
    # NX: only new members; XX: only existing ones (CH counts the changes).
    assert c.call("GEOADD", "Sicily", "NX", 20, 20, "Palermo", 2, 2, "nx") == 1
    assert c.call("GEOPOS", "Sicily", "Palermo")[0][0] == b"13.50000053644180298"
    assert c.call("GEOADD", "Sicily", "XX", 14, 38, "Palermo", 3, 3, "xx") == 0
    assert c.call("ZSCORE", "Sicily", "xx") is None
    assert c.call("GEOADD", "Sicily", "XX", "CH", 14.5, 38, "Palermo", 3, 3, "xx2") == 1
    assert c.call("GEOADD", "Sicily", "ch", "nx", 14.5, 38, "Palermo", 4, 4, "chnx") == 1
    assert c.call("GEOADD", "Sicily", "CH", "XX", 14.5, 38, "Palermo") == 0
    # The same member twice: counted once, the last position wins.
    assert c.call("GEOADD", "twice", 1, 1, "m", 2, 2, "m") == 1
    assert c.call("GEOHASH", "twice", "m") == [b"s037ms06g70"]
    # XX on a missing key creates nothing.
    assert c.call("GEOADD", "missing", "XX", 1, 1, "m") == 0
    assert c.call("EXISTS", "missing") == 0


def test_geoadd_errors(c):
    assert c.error("GEOADD", "k", "xx", "nx", 1, 1, "m") == SYNTAX
    assert c.error("GEOADD", "k", "nx", "xx", "ch", 1, 1, "m") == SYNTAX
    # GT/LT/INCR are ZADD's, not GEOADD's: read as coordinates (here 4 arguments left).
    assert c.error("GEOADD", "k", "ch", "xx", "foo", 1, 1, "m") == SYNTAX
    assert c.error("GEOADD", "k", "gt", 1, "m") == NOT_FLOAT
    assert c.error("GEOADD", "k", 1, 1, "m", 2) == SYNTAX
    # Options alone.
    assert c.error("GEOADD", "k", "ch", "nx", "ch") == SYNTAX
    assert c.error("GEOADD", "k", 1, 1) == arity("geoadd")
    assert c.error("GEOADD", "k", "abc", 1, "m") == NOT_FLOAT
    assert c.error("GEOADD", "k", 1, "nan", "m") == NOT_FLOAT
    assert c.error("GEOADD", "k", 200, 100, "m") == \
        "ERR invalid longitude,latitude pair 200.000000,100.000000"
    assert c.error("GEOADD", "k", 0, 85.05112879, "m") == \
        "ERR invalid longitude,latitude pair 0.000000,85.051129"
    assert c.error("GEOADD", "k", -180.0000001, 0, "m") == \
        "ERR invalid longitude,latitude pair -180.000000,0.000000"
    assert c.error("GEOADD", "k", "-inf", 0, "m") == \
        "ERR invalid longitude,latitude pair -inf,0.000000"
    # Every point is checked before anything is added.
    assert c.error("GEOADD", "k", 1, 1, "a", 2, 91, "b") == \
        "ERR invalid longitude,latitude pair 2.000000,91.000000"
    assert c.call("EXISTS", "k") == 0
    # The limits themselves are valid.
    assert c.call("GEOADD", "k", 180, 85.05112878, "ne", -180, -85.05112878, "sw") == 2
    # Coordinates are checked before the key's type.
    c.call("SET", "str", "x")
    assert c.error("GEOADD", "str", 200, 0, "m") == \
        "ERR invalid longitude,latitude pair 200.000000,0.000000"
    assert c.error("GEOADD", "str", 1, 1, "m") == WRONGTYPE


def test_geoadd_encodings(c):
    c.call("GEOADD", "small", 1, 1, "m")
    assert c.call("OBJECT", "ENCODING", "small") == b"listpack"
    args = []
    for i in range(200):
        args += [i % 360 - 179, (i % 170) - 84, f"m{i}"]
    assert c.call("GEOADD", "big", *args) == 200
    assert c.call("OBJECT", "ENCODING", "big") == b"skiplist"
    # Every sorted set command works on the index.
    assert c.call("ZREM", "big", "m0") == 1
    assert c.call("ZCARD", "big") == 199


# ---------------------------------------------------------------- GEOPOS GEOHASH GEODIST


def test_geopos(c):
    sicily(c)
    assert c.call("GEOPOS", "Sicily", "Palermo", "Catania", "NonExisting") == [
        [b"13.36138933897018433", b"38.11555639549629859"],
        [b"15.08726745843887329", b"37.50266842333162032"],
        None,
    ]
    assert c.call_raw("GEOPOS", "Sicily", "nope") == b"*1\r\n*-1\r\n"
    assert c.call("GEOPOS", "Sicily") == []
    assert c.call("GEOPOS", "missing", "a", "b") == [None, None]
    c.call("GEOADD", "edges", 180, 85.05112878, "ne", -180, -85.05112878, "sw", 0, 0, "zero")
    assert c.call("GEOPOS", "edges", "ne", "sw", "zero") == [
        [b"180", b"85.0511287799999991"],
        [b"-179.99999731779098511", b"-85.05112751263942528"],
        [b"0.00000268220901489", b"0.00000126736058093"],
    ]
    c.call("SET", "str", "x")
    assert c.error("GEOPOS", "str", "a") == WRONGTYPE
    assert c.error("GEOPOS") == arity("geopos")


def test_geopos_resp3(c):
    sicily(c)
    c.call("HELLO", 3)
    assert c.call_raw("GEOPOS", "Sicily", "Palermo", "x") == \
        b"*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n"


def test_geohash(c):
    sicily(c)
    assert c.call("GEOHASH", "Sicily", "Palermo", "Catania", "nope") == \
        [b"sqc8b49rny0", b"sqdtr74hyu0", None]
    assert c.call("GEOHASH", "Sicily") == []
    assert c.call("GEOHASH", "missing", "a") == [None]
    # Any score decodes (ZADD can write what GEOADD never would).
    c.call("ZADD", "odd", -1, "neg", 0.5, "half", 1e20, "huge")
    assert c.call("GEOHASH", "odd", "neg", "half", "huge") == \
        [b"bp05b5048p0", b"00bh0hbj200", b"00bh0hbj200"]
    assert c.call("GEOPOS", "odd", "neg") == [[b"180", b"85.0511287799999991"]]
    c.call("SET", "str", "x")
    assert c.error("GEOHASH", "str", "a") == WRONGTYPE


def test_geodist(c):
    sicily(c)
    assert c.call("GEODIST", "Sicily", "Palermo", "Catania") == b"166274.1516"
    assert c.call("GEODIST", "Sicily", "Palermo", "Catania", "km") == b"166.2742"
    assert c.call("GEODIST", "Sicily", "Palermo", "Catania", "MI") == b"103.3182"
    assert c.call("GEODIST", "Sicily", "Palermo", "Catania", "Ft") == b"545518.8700"
    assert c.call("GEODIST", "Sicily", "Palermo", "Palermo") == b"0.0000"
    assert c.call("GEODIST", "Sicily", "Palermo", "nope") is None
    assert c.call("GEODIST", "missing", "a", "b") is None
    assert c.error("GEODIST", "Sicily", "Palermo", "Catania", "parsec") == BAD_UNIT
    # The unit is checked before the key is looked up.
    assert c.error("GEODIST", "missing", "a", "b", "parsec") == BAD_UNIT
    assert c.error("GEODIST", "Sicily", "Palermo", "Catania", "km", "x") == SYNTAX
    assert c.error("GEODIST", "Sicily", "Palermo") == arity("geodist")
    c.call("SET", "str", "x")
    assert c.error("GEODIST", "str", "a", "b") == WRONGTYPE
    # A distance is a bulk string in RESP3 too.
    c.call("HELLO", 3)
    assert c.call_raw("GEODIST", "Sicily", "Palermo", "Catania") == b"$11\r\n166274.1516\r\n"
    assert c.call_raw("GEODIST", "Sicily", "Palermo", "x") == b"_\r\n"


# ---------------------------------------------------------------- searches


def test_georadius_examples(c):
    sicily(c)
    assert c.call("GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHDIST") == \
        [[b"Palermo", b"190.4424"], [b"Catania", b"56.4413"]]
    assert c.call("GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHCOORD") == [
        [b"Palermo", [b"13.36138933897018433", b"38.11555639549629859"]],
        [b"Catania", [b"15.08726745843887329", b"37.50266842333162032"]],
    ]
    assert c.call("GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHDIST", "WITHCOORD",
                  "WITHHASH") == [
        [b"Palermo", b"190.4424", 3479099956230698,
         [b"13.36138933897018433", b"38.11555639549629859"]],
        [b"Catania", b"56.4413", 3479447370796909,
         [b"15.08726745843887329", b"37.50266842333162032"]],
    ]
    # The extras come in one order (dist, hash, coord) whatever order they are asked in.
    assert c.call("GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHCOORD", "WITHHASH",
                  "WITHDIST", "ASC")[0][:3] == [b"Catania", b"56.4413", 3479447370796909]
    assert c.call("GEORADIUS_RO", "Sicily", 15, 37, 100, "km") == [b"Catania"]
    assert c.call("GEORADIUSBYMEMBER", "Sicily", "Palermo", 200, "km", "ASC") == \
        [b"Palermo", b"Catania"]
    assert c.call("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", 100, "km") == [b"Palermo"]


def test_geosearch_examples(c):
    sicily(c)
    c.call("GEOADD", "Sicily", 12.758489, 38.788135, "edge1", 17.241510, 38.788135, "edge2")
    assert c.call("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "ASC") == \
        [b"Catania", b"Palermo"]
    assert c.call("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYBOX", 400, 400, "km", "ASC",
                  "WITHCOORD", "WITHDIST") == [
        [b"Catania", b"56.4413", [b"15.08726745843887329", b"37.50266842333162032"]],
        [b"Palermo", b"190.4424", [b"13.36138933897018433", b"38.11555639549629859"]],
        [b"edge2", b"279.7403", [b"17.24151045083999634", b"38.78813451624225195"]],
        [b"edge1", b"279.7405", [b"12.7584877610206604", b"38.78813451624225195"]],
    ]
    assert c.call("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 200, "km",
                  "DESC", "WITHDIST") == \
        [[b"Catania", b"166.2742"], [b"edge1", b"91.4007"], [b"Palermo", b"0.0000"]]


def test_search_order_and_count(c):
    nyc(c)
    center = (-73.9798091, 40.7598464)
    # Without ASC/DESC, points come in the order of the boxes walked (Redis's order).
    assert c.call("GEORADIUS", "nyc", *center, 10, "km") == \
        [b"wtc one", b"union square", b"central park n/q/r", b"4545", b"lic market", b"q4"]
    assert c.call("GEORADIUS", "nyc", *center, 3, "km", "ASC") == \
        [b"central park n/q/r", b"4545", b"union square"]
    assert c.call("GEORADIUS", "nyc", *center, 3, "km", "DESC") == \
        [b"union square", b"4545", b"central park n/q/r"]
    # COUNT alone means the nearest ones.
    assert c.call("GEORADIUS", "nyc", *center, 10, "km", "COUNT", 3) == \
        [b"central park n/q/r", b"4545", b"union square"]
    assert c.call("GEORADIUS", "nyc", *center, 10, "km", "COUNT", 2, "DESC") == \
        [b"wtc one", b"q4"]
    # COUNT ANY: the first ones found, unsorted unless asked.
    assert c.call("GEORADIUS", "nyc", *center, 10, "km", "COUNT", 3, "ANY") == \
        [b"wtc one", b"union square", b"central park n/q/r"]
    assert c.call("GEORADIUS", "nyc", *center, 10, "km", "COUNT", 3, "ANY", "ASC") == \
        [b"central park n/q/r", b"union square", b"wtc one"]
    assert c.call("GEOSEARCH", "nyc", "FROMLONLAT", *center, "BYRADIUS", 10, "km", "ANY",
                  "COUNT", 100) == \
        [b"wtc one", b"union square", b"central park n/q/r", b"4545", b"lic market", b"q4"]
    assert c.call("GEORADIUS", "nyc", *center, 1, "m") == []
    assert c.call("GEORADIUS", "nyc", *center, 0, "km") == []


def test_search_resp3(c):
    sicily(c)
    c.call("HELLO", 3)
    assert c.call_raw("GEOSEARCH", "Sicily", "FROMMEMBER", "Catania", "BYRADIUS", 1, "m",
                      "WITHDIST", "WITHHASH", "WITHCOORD") == (
        b"*1\r\n*4\r\n$7\r\nCatania\r\n$6\r\n0.0000\r\n:3479447370796909\r\n"
        b"*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n")
    assert c.call_raw("GEOSEARCH", "Sicily", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "m") == \
        b"*0\r\n"


def test_search_units(c):
    sicily(c)
    for unit, dist in (("m", b"166274.1516"), ("KM", b"166.2742"), ("mi", b"103.3182"),
                       ("FT", b"545518.8700")):
        assert c.call("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 1000000, unit,
                      "WITHDIST", "DESC", "COUNT", 1)[0] == [b"Catania", dist]
        got = c.call("GEORADIUSBYMEMBER", "Sicily", "Palermo", 1e9, unit, "WITHDIST", "DESC")
        assert got[0] == [b"Catania", dist]


def test_search_across_the_antimeridian_and_near_the_poles(c):
    c.call("GEOADD", "edge", 179.9, 10, "east", -179.9, 10, "west", 0, 84.9, "n1", 120, 84.9,
           "n2", 180, 85.05112878, "top")
    assert sorted(c.call("GEOSEARCH", "edge", "FROMLONLAT", 179.99, 10, "BYRADIUS", 50, "km")) \
        == [b"east", b"west"]
    # A centre on the antimeridian itself falls in a cell past the last one (its index
    # overflows), so its boxes miss the other side: Redis's answer, kept.
    assert c.call("GEOSEARCH", "edge", "FROMLONLAT", 180, 10, "BYBOX", 40, 40, "km", "ASC",
                  "WITHDIST") == [[b"east", b"10.9537"]]
    assert c.call("GEOSEARCH", "edge", "FROMLONLAT", -180, 10, "BYBOX", 40, 40, "km", "ASC",
                  "WITHDIST") == [[b"east", b"10.9537"], [b"west", b"10.9537"]]
    # Over the pole: n2 is found, "top" (1117.7 km away on the other side) is not, because the
    # boxes searched do not reach across the pole: Redis's answer, kept.
    assert c.call("GEODIST", "edge", "n1", "top", "km") == b"1117.6988"
    assert c.call("GEOSEARCH", "edge", "FROMMEMBER", "n1", "BYRADIUS", 2000, "km", "ASC",
                  "WITHDIST") == [[b"n1", b"0.0000"], [b"n2", b"982.1879"]]


def test_search_errors(c):
    sicily(c)
    s = ("GEOSEARCH", "Sicily")
    assert c.error(*s, "FROMLONLAT", 1, 1, "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km") == SYNTAX
    assert c.error(*s, "FROMMEMBER", "Palermo", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km") == SYNTAX
    # These errors name the command as the client spelled it.
    assert c.error("GeoSearch", "Sicily", "BYRADIUS", 1, "km", "ASC", "WITHDIST") == \
        "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GeoSearch"
    assert c.error(*s, "FROMLONLAT", 1, 1, "ASC", "WITHDIST") == \
        "ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH"
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "BYBOX", 1, 1, "km") == SYNTAX
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYBOX", 1, 1, "km", "BYRADIUS", 1, "km") == SYNTAX
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "ANY") == ANY_NEEDS_COUNT
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "COUNT", 0) == COUNT_POSITIVE
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "COUNT", -1) == COUNT_POSITIVE
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "COUNT", "x") == NOT_INT
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "COUNT") == SYNTAX
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", "x", "km") == "ERR need numeric radius"
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", -1, "km") == \
        "ERR radius cannot be negative"
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "au") == BAD_UNIT
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYBOX", "x", 1, "km") == "ERR need numeric width"
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYBOX", 1, "x", "km") == "ERR need numeric height"
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYBOX", 1, -1, "km") == \
        "ERR height or width cannot be negative"
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYBOX", 1, 1, "yd") == BAD_UNIT
    assert c.error(*s, "FROMLONLAT", 1, 100, "BYRADIUS", 1, "km") == \
        "ERR invalid longitude,latitude pair 1.000000,100.000000"
    assert c.error(*s, "FROMLONLAT", "x", 1, "BYRADIUS", 1, "km") == NOT_FLOAT
    assert c.error(*s, "FROMMEMBER", "nope", "BYRADIUS", 1, "km") == BAD_MEMBER
    # An option that lacks its arguments is a syntax error.
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYBOX", 1, 1) == SYNTAX
    assert c.error(*s, "FROMMEMBER", "Palermo", "BYRADIUS", 1) == arity("geosearch")
    assert c.error(*s, "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km", "FROMLONLAT", 1) == SYNTAX
    # GEOSEARCH stores nothing.
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "STORE", "d") == SYNTAX
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "STOREDIST") == SYNTAX
    assert c.error(*s, "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km", "WITHSCORES") == SYNTAX
    # GEORADIUS takes no GEOSEARCH options, and the _RO forms no STORE.
    assert c.error("GEORADIUS", "Sicily", 15, 37, 200, "km", "FROMMEMBER", "Palermo") == SYNTAX
    assert c.error("GEORADIUS_RO", "Sicily", 15, 37, 200, "km", "STORE", "d") == SYNTAX
    assert c.error("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", 1, "km", "STOREDIST", "d") \
        == SYNTAX
    assert c.error("GEORADIUS", "Sicily", 15, 37, 200, "km", "STORE") == SYNTAX
    assert c.error("GEORADIUS", "Sicily", 15, 37, "x", "km") == "ERR need numeric radius"
    assert c.error("GEORADIUS", "Sicily", 15, 37, 200, "lightyears") == BAD_UNIT
    assert c.error("GEORADIUS", "Sicily", 15, 91, 200, "km") == \
        "ERR invalid longitude,latitude pair 15.000000,91.000000"
    assert c.error("GEORADIUSBYMEMBER", "Sicily", "nope", 200, "km") == BAD_MEMBER
    assert c.error("GEORADIUS", "Sicily", 15, 37, 200) == arity("georadius")
    assert c.error("GEORADIUSBYMEMBER", "Sicily", "Palermo", 200) == arity("georadiusbymember")
    # Store options and WITH* exclude each other.
    assert c.error("GEORADIUS", "Sicily", 15, 37, 200, "km", "STORE", "d", "WITHDIST") == \
        "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and " \
        "WITHCOORD options"
    assert c.error("GEORADIUSBYMEMBER", "Sicily", "Palermo", 9, "km", "WITHHASH", "STOREDIST",
                   "d") == "ERR STORE option in GEORADIUS is not compatible with WITHDIST, " \
        "WITHHASH and WITHCOORD options"
    assert c.error("GEOSEARCHSTORE", "d", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km",
                   "WITHCOORD") == "ERR GEOSEARCHSTORE is not compatible with WITHDIST, " \
        "WITHHASH and WITHCOORD options"
    assert c.error("GEOSEARCHSTORE", "d", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km",
                   "STORE", "x") == SYNTAX
    assert c.call("EXISTS", "d") == 0


def test_search_missing_and_wrong_keys(c):
    # A missing key gives an empty reply, even for a member that cannot exist, and
    # GEORADIUSBYMEMBER does not even read its radius then.
    assert c.call("GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", 1, "km") == []
    assert c.call("GEORADIUSBYMEMBER", "nokey", "x", "notanumber", "km") == []
    assert c.call("GEORADIUS", "nokey", 1, 1, 1, "km") == []
    # ... but its options are still checked.
    assert c.error("GEOSEARCH", "nokey", "FROMMEMBER", "x", "ANY", "ASC", "WITHDIST") == \
        "ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH"
    assert c.error("GEORADIUS", "nokey", 1, 1, 1, "km", "ANY") == ANY_NEEDS_COUNT
    # The key's type is checked before anything else.
    c.call("SET", "str", "x")
    assert c.error("GEORADIUS", "str", 500, 500, "x", "y") == WRONGTYPE
    assert c.error("GEORADIUSBYMEMBER", "str", "m", 1, "km") == WRONGTYPE
    assert c.error("GEOSEARCH", "str", "BYRADIUS", 1, "km", "ASC", "ANY") == WRONGTYPE
    assert c.error("GEOSEARCHSTORE", "d", "str", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km") == \
        WRONGTYPE


# ---------------------------------------------------------------- store forms


def test_georadius_store(c):
    nyc(c)
    center = (-73.9798091, 40.7598464)
    assert c.call("GEORADIUS", "nyc", *center, 3, "km", "STORE", "points") == 3
    assert c.call("ZRANGE", "points", 0, -1, "WITHSCORES") == [
        b"union square", b"1791875485187452", b"central park n/q/r", b"1791875761332224",
        b"4545", b"1791875796750882"]
    # STOREDIST: distances in the query's unit; COUNT keeps the nearest.
    assert c.call("GEORADIUS", "nyc", *center, 3, "km", "STOREDIST", "dists", "COUNT", 2) == 2
    got = c.call("ZRANGE", "dists", 0, -1, "WITHSCORES")
    assert got[0::2] == [b"central park n/q/r", b"4545"]
    assert [round(float(x), 6) for x in got[1::2]] == [0.775016, 2.365117]
    assert c.call("GEORADIUSBYMEMBER", "nyc", "wtc one", 7, "km", "STORE", "near") == 5
    assert c.call("ZCARD", "near") == 5
    # The last STORE / STOREDIST wins.
    assert c.call("GEORADIUS", "nyc", *center, 3, "km", "STORE", "a", "STOREDIST", "b") == 3
    assert c.call("EXISTS", "a") == 0
    assert c.call("ZCARD", "b") == 3
    # Nothing found deletes the destination, whatever it held.
    c.call("SET", "dst", "string")
    assert c.call("GEORADIUS", "nyc", 0, 0, 1, "km", "STORE", "dst") == 0
    assert c.call("EXISTS", "dst") == 0
    c.call("SET", "dst", "string")
    assert c.call("GEORADIUS", "nosrc", 0, 0, 1, "km", "STORE", "dst") == 0
    assert c.call("EXISTS", "dst") == 0
    # A destination of another type is replaced.
    c.call("SET", "dst", "string")
    assert c.call("GEORADIUSBYMEMBER", "nyc", "jfk", 1, "km", "STORE", "dst") == 1
    assert c.call("TYPE", "dst") == b"zset"


def test_geosearchstore(c):
    sicily(c)
    assert c.call("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", 15, 37, "BYBOX", 400, 400,
                  "km", "ASC", "COUNT", 1) == 1
    assert c.call("ZRANGE", "dst", 0, -1, "WITHSCORES") == [b"Catania", b"3479447370796909"]
    assert c.call("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km",
                  "STOREDIST") == 2
    got = c.call("ZRANGE", "dst", 0, -1, "WITHSCORES")
    assert got[0::2] == [b"Catania", b"Palermo"]
    assert [round(float(x), 4) for x in got[1::2]] == [56.4413, 190.4424]
    # The stored set is a geospatial index again (without STOREDIST).
    c.call("GEOSEARCHSTORE", "copy", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 500, "km")
    assert c.call("GEODIST", "copy", "Palermo", "Catania") == b"166274.1516"
    assert c.call("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km") == 0
    assert c.call("EXISTS", "dst") == 0
    assert c.call("GEOSEARCHSTORE", "dst", "nokey", "FROMMEMBER", "x", "BYRADIUS", 1, "km") == 0
    # Source and destination may be the same key.
    assert c.call("GEOSEARCHSTORE", "Sicily", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 1,
                  "km") == 1
    assert c.call("ZRANGE", "Sicily", 0, -1) == [b"Palermo"]


def test_store_in_transaction_across_keys(c):
    """The destination is locked with the source (other shards, other threads)."""
    sicily(c)
    c.call("MULTI")
    for i in range(20):
        c.call("GEORADIUS", "Sicily", 15, 37, 200, "km", "STORE", f"dst{i}")
        c.call("GEOSEARCHSTORE", f"gs{i}", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 100, "km")
    assert c.call("EXEC") == [2, 1] * 20
    assert all(c.call("ZCARD", f"dst{i}") == 2 for i in range(20))


# ---------------------------------------------------------------- command table


def as_dict(x):
    if isinstance(x, dict):
        return x
    return dict(zip(x[0::2], x[1::2]))


def text(x):
    if isinstance(x, (list, set)):
        return [text(i) for i in x]
    return x.decode()


RO = (["RO", "access"], "index", 1)
STORE_SPECS = lambda start: [RO, (["OW", "update"], "STORE", start),  # noqa: E731
                             (["OW", "update"], "STOREDIST", start)]
EXPECTED_INFO = {
    # name: (arity, flags, first, last, step, acl, [(flags, index or keyword, pos)])
    "geoadd": (-5, ["write", "denyoom"], 1, 1, 1, ["@write", "@geo", "@slow"],
               [(["RW", "update"], "index", 1)]),
    "geodist": (-4, ["readonly"], 1, 1, 1, ["@read", "@geo", "@slow"], [RO]),
    "geohash": (-2, ["readonly"], 1, 1, 1, ["@read", "@geo", "@slow"], [RO]),
    "geopos": (-2, ["readonly"], 1, 1, 1, ["@read", "@geo", "@slow"], [RO]),
    "georadius": (-6, ["write", "denyoom", "movablekeys"], 1, 1, 1, ["@write", "@geo", "@slow"],
                  STORE_SPECS(6)),
    "georadius_ro": (-6, ["readonly"], 1, 1, 1, ["@read", "@geo", "@slow"], [RO]),
    "georadiusbymember": (-5, ["write", "denyoom", "movablekeys"], 1, 1, 1,
                          ["@write", "@geo", "@slow"], STORE_SPECS(5)),
    "georadiusbymember_ro": (-5, ["readonly"], 1, 1, 1, ["@read", "@geo", "@slow"], [RO]),
    "geosearch": (-7, ["readonly"], 1, 1, 1, ["@read", "@geo", "@slow"], [RO]),
    "geosearchstore": (-8, ["write", "denyoom"], 1, 2, 1, ["@write", "@geo", "@slow"],
                       [(["OW", "update"], "index", 1), RO[:2] + (2,)]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_INFO))
def test_command_info(c, name):
    arity_, flags, first, last, step, acl, specs = EXPECTED_INFO[name]
    info = c.call("COMMAND", "INFO", name)[0]
    assert text(info[0]) == name
    assert info[1] == arity_
    assert sorted(text(info[2])) == sorted(flags)
    assert info[3:6] == [first, last, step]
    assert text(info[6]) == acl
    assert info[7] == []
    got = []
    for ks in info[8]:
        ks = as_dict(ks)
        begin = as_dict(ks[b"begin_search"])
        spec = as_dict(begin[b"spec"])
        find = as_dict(ks[b"find_keys"])
        assert find[b"type"] == b"range"
        assert as_dict(find[b"spec"]) == {b"lastkey": 0, b"keystep": 1, b"limit": 0}
        if begin[b"type"] == b"index":
            got.append((sorted(text(ks[b"flags"])), "index", spec[b"index"]))
        else:
            got.append((sorted(text(ks[b"flags"])), text(spec[b"keyword"]), spec[b"startfrom"]))
    assert got == [(sorted(f), t, i) for f, t, i in specs]


def test_command_docs_group(c):
    docs = c.call("COMMAND", "DOCS", "geosearch")
    d = as_dict(as_dict(docs)[b"geosearch"])
    assert d[b"group"] == b"geo"
    assert d[b"since"] == b"6.2.0"


def test_command_getkeys(c):
    assert c.call("COMMAND", "GETKEYS", "GEORADIUS", "k", 1, 2, 3, "m", "STORE", "d") == \
        [b"k", b"d"]
    assert c.call("COMMAND", "GETKEYS", "GEORADIUS", "k", 1, 2, 3, "m", "COUNT", 1,
                  "STOREDIST", "d") == [b"k", b"d"]
    assert c.call("COMMAND", "GETKEYS", "GEORADIUSBYMEMBER", "k", "m", 3, "km", "STORE", "d") \
        == [b"k", b"d"]
    assert c.call("COMMAND", "GETKEYS", "GEORADIUS", "k", 1, 2, 3, "m") == [b"k"]
    assert c.call("COMMAND", "GETKEYS", "GEOSEARCHSTORE", "d", "s", "FROMLONLAT", 1, 1,
                  "BYRADIUS", 1, "km") == [b"d", b"s"]
    assert c.call("COMMAND", "GETKEYS", "GEOADD", "k", 1, 1, "m") == [b"k"]


# ---------------------------------------------------------------- side by side with Redis


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture(scope="module")
def peer():
    """Debian's redis-server on a free port, as the reference."""
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.skip("redis-server not found")
    d = tempfile.mkdtemp(prefix="geo-peer-")
    port = free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--save", "", "--appendonly",
                             "no", "--dir", d], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                conn = RawConnection("127.0.0.1", port)
                if conn.call("PING") == b"PONG":
                    conn.close()
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(d, ignore_errors=True)


LAT_MAX = 85.05112878


def random_point(rnd, region):
    """A point in one of the regions the comparison covers."""
    if region == "world":
        return rnd.uniform(-180, 180), rnd.uniform(-LAT_MAX, LAT_MAX)
    if region == "poles":
        return rnd.uniform(-180, 180), rnd.choice((-1, 1)) * rnd.uniform(80, LAT_MAX)
    if region == "antimeridian":
        return rnd.choice((-1, 1)) * rnd.uniform(178.5, 180), rnd.uniform(-70, 70)
    if region == "origin":  # both the equator and the prime meridian
        return rnd.uniform(-1, 1), rnd.uniform(-1, 1)
    # a city: dense points, many per geohash box
    return rnd.uniform(13.2, 13.6), rnd.uniform(52.4, 52.6)


REGIONS = ("world", "poles", "antimeridian", "origin", "city")
RADII = {"world": (1e5, 8e6), "poles": (1e3, 2e6), "antimeridian": (1e3, 5e5),
         "origin": (10, 2e5), "city": (50, 3e4)}
UNITS = {"m": 1, "km": 1000, "mi": 1609.34, "ft": 0.3048}


def both(weir, redis, *args):
    """Runs a command on both servers; asserts the reply bytes are equal and returns them."""
    a = weir.call_raw(*args)
    b = redis.call_raw(*args)
    assert a == b, f"{args}: weir {a[:300]!r} redis {b[:300]!r}"
    return a


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_side_by_side_with_redis(c, raw, peer, seed):
    rnd = random.Random(seed)
    redis = raw(port=peer)
    redis.call("FLUSHALL")
    # Points: a few hundred per region in one key, and a small set (listpack encoded).
    members = []
    args = []
    for i in range(1500):
        region = REGIONS[i % len(REGIONS)]
        lon, lat = random_point(rnd, region)
        name = f"{region}:{i}"
        members.append(name)
        args += [repr(lon), repr(lat), name]
        if len(args) >= 300:
            both(c, redis, "GEOADD", "pts", *args)
            args = []
    both(c, redis, "GEOADD", "pts", *args)
    both(c, redis, "GEOADD", "small", *sum(([repr(x) for x in random_point(rnd, "city")] + [
        f"s{i}"] for i in range(40)), []))
    both(c, redis, "ZRANGE", "pts", 0, -1, "WITHSCORES")
    both(c, redis, "GEOHASH", "pts", *members)
    both(c, redis, "GEOPOS", "pts", *members)
    for _ in range(200):
        a, b = rnd.choice(members), rnd.choice(members)
        both(c, redis, "GEODIST", "pts", a, b, rnd.choice(list(UNITS)))

    non_empty = 0
    for q in range(1000):
        key = "small" if q % 10 == 0 else "pts"
        region = rnd.choice(REGIONS)
        unit = rnd.choice(list(UNITS))
        lo, hi = RADII[region]
        size = lambda: "%.4f" % (rnd.uniform(lo, hi) / UNITS[unit])  # noqa: E731
        if key == "small" or rnd.random() < 0.3:
            member = rnd.choice(members) if key == "pts" else f"s{rnd.randrange(40)}"
            center = ("FROMMEMBER", member)
        else:
            center = ("FROMLONLAT",) + tuple(repr(x) for x in random_point(rnd, region))
        shape = (("BYRADIUS", size(), unit) if rnd.random() < 0.5
                 else ("BYBOX", size(), size(), unit))
        opts = []
        order = rnd.choice(["", "ASC", "DESC"])
        if order:
            opts.append(order)
        if rnd.random() < 0.4:
            opts += ["COUNT", rnd.randint(1, 30)]
            if rnd.random() < 0.5:
                opts.append("ANY")
        for w in ("WITHDIST", "WITHHASH", "WITHCOORD"):
            if rnd.random() < 0.4:
                opts.append(w)
        non_empty += both(c, redis, "GEOSEARCH", key, *center, *shape, *opts) != b"*0\r\n"
        # The older forms, where the shape is a circle.
        if shape[0] == "BYRADIUS":
            if center[0] == "FROMLONLAT":
                both(c, redis, "GEORADIUS_RO", key, *center[1:], *shape[1:], *opts)
            else:
                both(c, redis, "GEORADIUSBYMEMBER", key, center[1], *shape[1:], *opts)
        if q % 8 == 0:
            # Stored results: the same members and scores (compared as numbers: Redis 7.0
            # prints fractional scores with %.17g, 7.2 with the shortest form).
            store_opts = [o for o in opts if not str(o).startswith("WITH")]
            dist = ["STOREDIST"] if rnd.random() < 0.5 else []
            both(c, redis, "GEOSEARCHSTORE", "dst", key, *center, *shape, *store_opts, *dist)
            got = [c.call("ZRANGE", "dst", 0, -1, "WITHSCORES"),
                   redis.call("ZRANGE", "dst", 0, -1, "WITHSCORES")]
            assert got[0][0::2] == got[1][0::2]
            assert [float(x) for x in got[0][1::2]] == [float(x) for x in got[1][1::2]]
    assert non_empty > 500  # the queries find things
    # RESP3 shapes of the same replies.
    c.call("HELLO", 3)
    redis.call("HELLO", 3)
    for _ in range(30):
        center = ("FROMLONLAT",) + tuple(repr(x) for x in random_point(rnd, "city"))
        both(c, redis, "GEOSEARCH", "pts", *center, "BYRADIUS", rnd.randint(100, 3000), "m",
             "WITHDIST", "WITHHASH", "WITHCOORD", "ASC")
    both(c, redis, "GEOPOS", "pts", *members[:100])
