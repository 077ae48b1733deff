"""A small RESP2/RESP3 client that keeps every reply's exact wire type.

Replies decode to tagged tuples so that two servers can be compared type for type
(a RESP2 bulk string and a RESP3 double are different replies even when the text
is the same):

    ("+", bytes)  simple string        ("-", bytes)  error
    (":", int)    integer              ("$", bytes)  bulk string
    ("$", None)   RESP2 null bulk      ("*", None)   RESP2 null array
    ("*", [...])  array                ("_", None)   RESP3 null
    (",", bytes)  RESP3 double (text)  ("#", bool)   RESP3 boolean
    ("(", int)    RESP3 big number     ("=", bytes)  RESP3 verbatim string
    ("!", bytes)  RESP3 blob error     ("%", [(k, v), ...])  RESP3 map
    ("~", [...])  RESP3 set            (">", [...])  RESP3 push
Attributes (|) are read and dropped; the reply that follows them is returned.
"""

import socket


class ConnectionClosed(Exception):
    pass


def encode_command(args):
    """Encode one command (a sequence of str/bytes/int) as a RESP array."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif isinstance(arg, int):
            arg = str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


class Connection:
    def __init__(self, host, port, timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        if self.pos:
            self.buf = self.buf[self.pos:]
            self.pos = 0
        chunk = self.sock.recv(1 << 18)
        if not chunk:
            raise ConnectionClosed("connection closed by server")
        self.buf += chunk

    def _line(self):
        while True:
            idx = self.buf.find(b"\r\n", self.pos)
            if idx >= 0:
                line = self.buf[self.pos:idx]
                self.pos = idx + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = self.buf[self.pos:self.pos + n]
        if self.buf[self.pos + n:self.pos + n + 2] != b"\r\n":
            raise ValueError("bulk string not terminated by CRLF")
        self.pos += n + 2
        return data

    def read(self):
        line = self._line()
        if not line:
            raise ValueError("empty reply line")
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-"):
            return (t.decode(), rest)
        if t in (b":", b"("):
            return (t.decode(), int(rest))
        if t == b",":
            return (",", rest)
        if t == b"#":
            return ("#", rest == b"t")
        if t == b"_":
            return ("_", None)
        if t in (b"$", b"=", b"!"):
            n = int(rest)
            return (t.decode(), None if n < 0 else self._exact(n))
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return (t.decode(), None)
            return (t.decode(), [self.read() for _ in range(n)])
        if t == b"%":
            n = int(rest)
            return ("%", [(self.read(), self.read()) for _ in range(n)])
        if t == b"|":
            n = int(rest)
            for _ in range(2 * n):
                self.read()
            return self.read()
        raise ValueError(f"unknown RESP type byte in {line[:80]!r}")

    def call(self, *args):
        self.send(encode_command(args))
        return self.read()


def format_reply(reply, indent=""):
    """Render a tagged reply for humans (one line when short)."""
    t, v = reply
    if t in ("*", "~", ">") and v is not None:
        if not v:
            return f"{indent}{t}(empty)"
        inner = "\n".join(format_reply(x, indent + "  ") for x in v)
        return f"{indent}{t}{len(v)}\n{inner}"
    if t == "%":
        if not v:
            return f"{indent}%(empty)"
        lines = []
        for k, x in v:
            lines.append(format_reply(k, indent + "  ") + " =>")
            lines.append(format_reply(x, indent + "    "))
        return f"{indent}%{len(v)}\n" + "\n".join(lines)
    return f"{indent}{t}{v!r}"
