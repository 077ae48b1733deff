"""Fixtures for Weir's wire-level integration tests.

The suite starts the real server binary (env WEIR_BIN, default
<repo>/build/weir) on a free port inside a temporary directory and talks to it
over TCP with redis-py, redis-cli and a small raw-RESP client defined here.
It is developed against Redis 7.2.6 (WEIR_BIN=.../redis-server), so every test
here is also a statement of what Weir must do.

Environment:
  WEIR_BIN   server binary (basename 'weir' => run every module with
             --threads 1 and --threads 4)
  WEIR_SLOW  '1' for sanitizer builds: all timeouts are multiplied.
  WEIR_THREADS  comma-separated thread counts to run weir with (default 1,4).
  REDIS_CLI  redis-cli binary (default: the one on PATH).
"""

import os
import pathlib
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

REPO = pathlib.Path(__file__).resolve().parents[2]
WEIR_BIN = os.environ.get("WEIR_BIN") or str(REPO / "build" / "weir")
BIN_NAME = os.path.basename(WEIR_BIN)
IS_WEIR = BIN_NAME == "weir"
IS_REDIS = BIN_NAME.startswith("redis-server")
SLOW = os.environ.get("WEIR_SLOW", "") not in ("", "0")
SCALE = 6 if SLOW else 1
# WEIR_THREADS=4 (or "1,4") picks the thread counts; the sanitizer runs use one each.
if IS_WEIR and os.environ.get("WEIR_THREADS"):
    THREADS = [int(t) for t in os.environ["WEIR_THREADS"].split(",")]
else:
    THREADS = [1, 4] if IS_WEIR else [None]


def timeout(seconds):
    """A timeout, stretched for sanitizer builds."""
    return seconds * SCALE


def wait_until(predicate, seconds=5.0, interval=0.02, msg="condition"):
    """Poll predicate() until it is truthy; fail the test after the timeout."""
    deadline = time.monotonic() + timeout(seconds)
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout(seconds)}s waiting for {msg}")
        time.sleep(interval)


def _raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):
            pass


_raise_fd_limit()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bulk(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode()
    return str(x).encode()


def encode_command(*args):
    """Encode a command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = _bulk(a)
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


# --------------------------------------------------------------------------
# Server process management
# --------------------------------------------------------------------------


class ServerStartError(Exception):
    pass


class Server:
    """One server process on a free port, in its own temporary directory."""

    def __init__(self, threads=None, args=(), config_text=None):
        self.threads = threads
        self.extra_args = [str(a) for a in args]
        self.config_text = config_text
        self.host = "127.0.0.1"
        self.port = None
        self.proc = None
        self.dir = tempfile.mkdtemp(prefix="weir-it-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.config_path = None

    def command_line(self):
        cmd = [WEIR_BIN]
        if self.config_text is not None:
            self.config_path = os.path.join(self.dir, "weir.conf")
            with open(self.config_path, "w") as f:
                f.write(self.config_text)
            cmd.append(self.config_path)
        cmd += ["--port", str(self.port), "--save", "", "--appendonly", "no"]
        if self.threads is not None and not IS_REDIS:
            cmd += ["--threads", str(self.threads)]
        cmd += self.extra_args
        return cmd

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-6000:]
        except OSError:
            return ""

    def start(self):
        if not os.access(WEIR_BIN, os.X_OK):
            shutil.rmtree(self.dir, ignore_errors=True)
            pytest.exit(f"server binary {WEIR_BIN!r} not found or not executable "
                        "(build it, or point WEIR_BIN at it)", returncode=4)
        last = None
        for _attempt in range(5):
            self.port = free_port()
            with open(self.log_path, "ab") as logf:
                self.proc = subprocess.Popen(
                    self.command_line(),
                    cwd=self.dir,
                    stdin=subprocess.DEVNULL,
                    stdout=logf,
                    stderr=subprocess.STDOUT,
                )
            try:
                self._wait_ready()
                return self
            except ServerStartError as e:
                last = e
                if self.proc.poll() is None:  # running but not answering: give up
                    self.proc.kill()
                    self.proc.wait()
                    break
                # it exited: maybe another process took the port; try another
        log = self.log()
        cmd = self.command_line()
        shutil.rmtree(self.dir, ignore_errors=True)
        raise ServerStartError(f"{last}\ncommand: {cmd}\n--- log ---\n{log}")

    def _wait_ready(self):
        deadline = time.monotonic() + timeout(15)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError(f"server exited with code {self.proc.returncode}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    data = b""
                    while not data.endswith(b"\r\n"):
                        chunk = s.recv(64)
                        if not chunk:
                            break
                        data += chunk
                    # any well-formed reply means the server is serving
                    # (-NOAUTH when started with requirepass)
                    if data == b"+PONG\r\n" or data.startswith(b"-NOAUTH"):
                        # QUIT and wait for the server to close: it has then stopped counting
                        # this probe, so maxclients tests start from zero connections.
                        s.sendall(b"*1\r\n$4\r\nQUIT\r\n")
                        while s.recv(64):
                            pass
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise ServerStartError("server did not answer PING in time")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def client(self, **kw):
        kw.setdefault("socket_timeout", timeout(15))
        kw.setdefault("socket_connect_timeout", timeout(15))
        return redis.Redis(host=self.host, port=self.port, **kw)

    def stop(self, sig=signal.SIGTERM):
        """Stop the server with `sig`; return its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout(20))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"server did not exit within {timeout(20)}s of signal {sig}\n{self.log()}")
        return self.proc.returncode

    def stop_and_check(self):
        was_alive = self.alive()
        code = self.stop()
        log = self.log()
        shutil.rmtree(self.dir, ignore_errors=True)
        assert was_alive, f"server died during the tests (exit {code})\n--- log ---\n{log}"
        assert code == 0, f"server exited with {code} after SIGTERM\n--- log ---\n{log}"


@pytest.fixture(scope="module", params=THREADS, ids=lambda t: "redis" if t is None else f"threads{t}")
def threads(request):
    """Worker thread count the server runs with (None: not passed)."""
    return request.param


@pytest.fixture(scope="module")
def server(threads):
    """The module's shared server. SIGTERMed at the end; must exit with 0."""
    srv = Server(threads=threads).start()
    yield srv
    srv.stop_and_check()


@pytest.fixture
def server_factory(threads):
    """Start extra servers with their own arguments / config file text.

    start(*args, config_text=None) -> Server.  All are stopped (SIGTERM,
    exit code 0 asserted) when the test ends, unless the test stopped them.
    """
    started = []

    def start(*args, config_text=None):
        srv = Server(threads=threads, args=args, config_text=config_text).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        if srv.proc.returncode is None:
            srv.stop_and_check()
        else:
            shutil.rmtree(srv.dir, ignore_errors=True)


@pytest.fixture
def r(server):
    """redis-py client (bytes replies) on a FLUSHALLed server."""
    assert server.alive(), f"server is not running\n{server.log()}"
    client = server.client(decode_responses=False)
    client.flushall()
    yield client
    # Redis.close() only returns the connection to the pool: really close it,
    # so no test sees connections left over from an earlier one.
    client.connection_pool.disconnect()
    assert server.alive(), f"server died during the test\n{server.log()}"


@pytest.fixture
def connect(server):
    """Factory for extra redis-py clients to the module's server."""
    clients = []

    def make(**kw):
        c = server.client(**kw)
        clients.append(c)
        return c

    yield make
    for c in clients:
        try:
            c.connection_pool.disconnect()
        except Exception:
            pass


@pytest.fixture
def set_config(r):
    """set_config(name, value): CONFIG SET that is undone after the test."""
    saved = {}

    def setter(name, value):
        if name not in saved:
            saved[name] = r.config_get(name)[name]
        r.config_set(name, value)

    yield setter
    for name, value in saved.items():
        r.config_set(name, value)


# --------------------------------------------------------------------------
# Raw RESP client (RESP2 and RESP3)
# --------------------------------------------------------------------------


class RespError(Exception):
    """An error reply ('-' or '!'). str() is the full message."""

    def __eq__(self, other):
        return isinstance(other, RespError) and str(self) == str(other)

    def __hash__(self):
        return hash(str(self))


class Push(list):
    """RESP3 push ('>') reply."""


class Attribute(dict):
    pass


class Verbatim(bytes):
    """RESP3 verbatim string ('='); the bytes exclude the 'txt:' prefix."""

    fmt = b""


class ConnectionClosed(Exception):
    pass


class RawConnection:
    """A plain TCP connection speaking RESP by hand.

    send(bytes) writes raw bytes; read() parses one reply; read_raw() returns
    one reply's exact bytes; call(*args) sends a RESP array and parses the
    reply. Error replies are returned (not raised) as RespError instances.
    Parsed types: + and $ -> bytes (simple strings too), : -> int,
    , -> float, # -> bool, _ and $-1/*-1 -> None, % -> dict, ~ -> set (list
    if unhashable), > -> Push, ( -> int, = -> Verbatim.
    """

    def __init__(self, host, port, sock_timeout=None):
        self.sock = socket.create_connection((host, port), timeout=timeout(15))
        self.sock.settimeout(sock_timeout if sock_timeout is not None else timeout(15))
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

    def send_command(self, *args):
        self.sock.sendall(encode_command(*args))

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
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
        assert self.buf[self.pos + n:self.pos + n + 2] == b"\r\n", "bulk not terminated by CRLF"
        self.pos += n + 2
        return data

    def _parse(self):
        line = self._line()
        if not line:
            raise AssertionError("empty reply line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest
        if t == b"-":
            return RespError(rest.decode(errors="replace"))
        if t == b":":
            return int(rest)
        if t == b"(":
            return int(rest)
        if t == b",":
            return float(rest.decode())
        if t == b"#":
            assert rest in (b"t", b"f"), line
            return rest == b"t"
        if t == b"_":
            assert rest == b"", line
            return None
        if t in (b"$", b"!", b"="):
            n = int(rest)
            if n < 0:
                return None
            data = self._exact(n)
            if t == b"!":
                return RespError(data.decode(errors="replace"))
            if t == b"=":
                v = Verbatim(data[4:])
                v.fmt = data[:3]
                return v
            return data
        if t in (b"*", b">", b"~"):
            n = int(rest)
            if n < 0:
                return None
            items = [self._parse() for _ in range(n)]
            if t == b">":
                return Push(items)
            if t == b"~":
                try:
                    return set(items)
                except TypeError:
                    return items
            return items
        if t in (b"%", b"|"):
            n = int(rest)
            d = Attribute() if t == b"|" else {}
            for _ in range(n):
                k = self._parse()
                if isinstance(k, list):
                    k = tuple(k)
                d[k] = self._parse()
            if t == b"|":  # attribute: the real reply follows
                return self._parse()
            return d
        raise AssertionError(f"unknown RESP type byte in {line!r}")

    def _compact(self):
        if self.pos:
            self.buf = self.buf[self.pos:]
            self.pos = 0

    def read(self):
        """Parse and return one reply."""
        self._compact()
        return self._parse()

    def read_raw(self):
        """Return the exact bytes of one reply."""
        self._compact()
        self._parse()
        return self.buf[:self.pos]

    def call(self, *args):
        self.send_command(*args)
        return self.read()

    def error(self, *args):
        """Send a command that must fail; return the full error text."""
        reply = self.call(*args)
        assert isinstance(reply, RespError), f"expected an error reply to {args!r}, got {reply!r}"
        return str(reply)

    def pipeline(self, commands, chunk=5000):
        """Send many commands (each a tuple of args) pipelined, in chunks;
        return the list of parsed replies."""
        replies = []
        commands = list(commands)
        for i in range(0, len(commands), chunk):
            part = commands[i:i + chunk]
            self.sock.sendall(b"".join(encode_command(*cmd) for cmd in part))
            for _ in part:
                replies.append(self.read())
        return replies

    def call_raw(self, *args):
        self.send_command(*args)
        return self.read_raw()

    def read_until_closed(self, seconds=5.0):
        """Read everything until the server closes; fail if it never does."""
        deadline = time.monotonic() + timeout(seconds)
        data = self.buf[self.pos:]
        self.buf, self.pos = b"", 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"server did not close the connection; got {data[:200]!r}")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                continue
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk

    def is_open(self):
        """True if the connection still answers PING."""
        try:
            self.send_command("PING")
            return self.read() == b"PONG"
        except (ConnectionClosed, OSError):
            return False


@pytest.fixture
def raw(server):
    """raw() -> RawConnection to the module's server (closed after the test).
    raw(port=...) connects elsewhere."""
    conns = []

    def make(port=None, sock_timeout=None):
        c = RawConnection(server.host, port or server.port, sock_timeout)
        conns.append(c)
        return c

    yield make
    for c in conns:
        c.close()


@pytest.fixture
def c(r, raw):
    """A RawConnection on the FLUSHALLed server: exact replies and full error
    texts (redis-py strips the 'ERR ' prefix from errors)."""
    return raw()


def redis_cli_path():
    env = os.environ.get("REDIS_CLI")
    if env:
        return env
    found = shutil.which("redis-cli")
    if found:
        return found
    sibling = os.path.join(os.path.dirname(WEIR_BIN), "redis-cli")
    if os.path.exists(sibling):
        return sibling
    return None


@pytest.fixture
def cli(server):
    """cli(*args, input=None, port=None) -> CompletedProcess (text mode).

    Runs `redis-cli -p PORT args...`; skips when redis-cli is missing."""
    path = redis_cli_path()
    if path is None:
        pytest.skip("redis-cli not found")

    def run(*args, input=None, port=None):
        cmd = [path, "-h", server.host, "-p", str(port or server.port)] + [str(a) for a in args]
        return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout(30))

    return run
