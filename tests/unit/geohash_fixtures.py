#!/usr/bin/python3
"""Prints the fixtures of tests/unit/geohash_test.cc, computed by a real Redis.

Starts Debian's redis-server (7.0.15; its geo.c, geohash.c and geohash_helper.c are those of
7.2.6 but for one line that builds the same score object another way) on a free port, adds
points with GEOADD and reads back what Redis computed: scores (ZSCORE), positions (GEOPOS),
geohash strings (GEOHASH) and distances (GEODIST). The points are fixed landmarks, the edges of
the GEO range, and points drawn from a seeded generator (poles and the antimeridian included).

Neighbour fixtures: for a point P and a step s, Redis's scores of P moved by one cell of step s
in each of the 8 directions (wrapping past the antimeridian and from pole to pole as geohash
neighbours do); the test checks that the neighbours of P's cell are the cells of those points.

Usage: tests/unit/geohash_fixtures.py [redis-server] > /tmp/fixtures.inc, then paste the
output between the markers in geohash_test.cc.
"""

import random
import socket
import subprocess
import sys
import tempfile
import time

import redis

LAT_MAX = 85.05112878
LAT_SPAN = 2 * LAT_MAX


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def points():
    pts = [
        (0, 0), (-73.9454966, 40.747533), (13.361389, 38.115556), (15.087269, 37.502669),
        (-122.4194, 37.7749), (151.2093, -33.8688), (139.6917, 35.6895), (2.3522, 48.8566),
        (180, LAT_MAX), (-180, -LAT_MAX), (180, -LAT_MAX), (-180, LAT_MAX),
        (179.9999999, 0.0000001), (-179.9999999, -0.0000001), (0.000001, 85.05),
        (-0.000001, -85.05), (45, 0), (-90, 45), (90, -45),
    ]
    rnd = random.Random(20240915)
    for _ in range(40):
        pts.append((rnd.uniform(-180, 180), rnd.uniform(-LAT_MAX, LAT_MAX)))
    for _ in range(10):  # near the poles' limit and the antimeridian
        pts.append((rnd.choice([-1, 1]) * rnd.uniform(179, 180), rnd.uniform(-LAT_MAX, LAT_MAX)))
        pts.append((rnd.uniform(-180, 180), rnd.choice([-1, 1]) * rnd.uniform(84, LAT_MAX)))
    return pts


def wrap(lon, lat):
    if lon > 180:
        lon -= 360
    if lon < -180:
        lon += 360
    if lat > LAT_MAX:
        lat -= LAT_SPAN
    if lat < -LAT_MAX:
        lat += LAT_SPAN
    return lon, lat


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "redis-server"
    port = free_port()
    d = tempfile.mkdtemp()
    proc = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no"],
                            cwd=d, stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port, decode_responses=True)
        # The replies' exact text, not redis-py's floats.
        for command in ("GEOPOS", "GEODIST", "ZSCORE"):
            r.response_callbacks.pop(command, None)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        version = r.info("server")["redis_version"]
        pts = points()
        print("// Produced by tests/unit/geohash_fixtures.py against redis-server %s." % version)
        print("// {lon, lat, ZSCORE after GEOADD, GEOPOS lon, GEOPOS lat, GEOHASH}")
        print("const PointFixture kPoints[] = {")
        for i, (lon, lat) in enumerate(pts):
            m = "p%d" % i
            r.execute_command("GEOADD", "pts", repr(lon), repr(lat), m)
            score = r.execute_command("ZSCORE", "pts", m)
            (plon, plat), = r.execute_command("GEOPOS", "pts", m)
            h, = r.execute_command("GEOHASH", "pts", m)
            print('    {%r, %r, %sULL, "%s", "%s", "%s"},' % (lon, lat, score, plon, plat, h))
        print("};")

        print("// {index of point a, index of point b, unit, GEODIST}")
        print("const DistanceFixture kDistances[] = {")
        rnd = random.Random(7)
        pairs = [(i, i + 1) for i in range(len(pts) - 1)]
        pairs += [(rnd.randrange(len(pts)), rnd.randrange(len(pts))) for _ in range(40)]
        pairs += [(0, 0), (8, 9), (8, 10), (12, 13)]
        for n, (a, b) in enumerate(pairs):
            unit = ["m", "km", "mi", "ft"][n % 4]
            dist = r.execute_command("GEODIST", "pts", "p%d" % a, "p%d" % b, unit)
            print('    {%d, %d, "%s", "%s"},' % (a, b, unit, dist))
        print("};")

        print("// {lon, lat, step, ZSCOREs of the point moved one cell of that step north, east,")
        print("//  west, south, north-east, south-east, north-west, south-west}")
        print("const NeighbourFixture kNeighbours[] = {")
        rnd = random.Random(99)
        cases = []
        for step in (1, 2, 3, 5, 8, 13, 20, 26):
            for _ in range(3):
                cases.append((rnd.uniform(-180, 180), rnd.uniform(-LAT_MAX, LAT_MAX), step))
        # Cells on the antimeridian and at the top and bottom rows: the neighbours wrap.
        for step in (4, 10, 17):
            w, h = 360 / 2 ** step, LAT_SPAN / 2 ** step
            cases.append((180 - w / 2, LAT_MAX - h / 2, step))
            cases.append((-180 + w / 2, -LAT_MAX + h / 2, step))
        for lon, lat, step in cases:
            w, h = 360 / 2 ** step, LAT_SPAN / 2 ** step
            moves = [(0, 1), (1, 0), (-1, 0), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]
            scores = []
            for k, (dx, dy) in enumerate(moves):
                nlon, nlat = wrap(lon + dx * w, lat + dy * h)
                m = "n%d" % k
                r.execute_command("GEOADD", "nb", repr(nlon), repr(nlat), m)
                scores.append("%sULL" % r.execute_command("ZSCORE", "nb", m))
            print("    {%r, %r, %d, {%s}}," % (lon, lat, step, ", ".join(scores)))
        print("};")

        print("// Scores GEOADD never writes (set with ZADD): {score, GEOPOS lon, GEOPOS lat,")
        print("//  GEOHASH}")
        print("const OddScoreFixture kOddScores[] = {")
        for i, score in enumerate(["-1", "-5.5", "0.5", "1e19", "1.7e19", "1e20", "-1e300",
                                   "9007199254740993", "4503599627370495", "4503599627370496"]):
            m = "o%d" % i
            r.execute_command("ZADD", "odd", score, m)
            (plon, plat), = r.execute_command("GEOPOS", "odd", m)
            h, = r.execute_command("GEOHASH", "odd", m)
            print('    {%r, "%s", "%s", "%s"},' % (float(score), plon, plat, h))
        print("};")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
