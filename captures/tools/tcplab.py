#!/usr/bin/env python3
"""Small TCP servers and clients for captures/make-captures.sh (stdlib only).

Every program here is bounded in time: a global alarm (--deadline seconds)
ends it, every socket has a timeout, and servers accept a fixed number of
connections.  Bodies are deterministic (a repeating, numbered text pattern).

Servers (run in the server namespace):
  serve-slow      HTTP-ish: read a request, send a header and --size bytes in
                  --chunk pieces, --delay seconds apart (for client_rst).
  serve-rst       read a request, send --size bytes of a longer announced
                  body, then close with SO_LINGER {1,0} -> RST (server_rst).
  serve-halfclose read until the client's FIN (EOF), then send --chunks
                  pieces --delay apart, then close (half_close).
  serve-close     read a request, send a "Connection: close" HTTP response
                  without Content-Length and close first (server_close_first).
  serve-echo      echo each received line back until EOF, then close
                  (midstream).
  serve-simclose  read a line "CLOSE <t>", reply "OK", shut down the write
                  side at wall-clock time t (simultaneous_close).

Clients (run in the client namespace):
  get-rst         send a GET, read --after bytes, close with SO_LINGER {1,0}.
  get             send a GET, read until EOF or RST, close.
  halfclose       send a request, shutdown(SHUT_WR), read until EOF, close.
  echo            connect, print "connected", wait for --go-file, send
                  --count lines --delay apart reading each echo, close.
  simclose        send "CLOSE <now+lead>", read "OK", shut down the write
                  side at that time, read until EOF, close.
  syn-abort       non-blocking connect, wait --delay seconds, close while
                  still in SYN_SENT (the kernel sends nothing).
"""

import argparse
import os
import signal
import socket
import struct
import sys
import time

LINGER_RST = struct.pack("ii", 1, 0)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def body(n):
    """Deterministic printable body of exactly n bytes."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += b"tcpphase lab line %06d abcdefghijklmnopqrstuvwxyz0123456789\n" % i
        i += 1
    return bytes(out[:n])


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listen(addr, port):
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    s.settimeout(30)
    print("listening", flush=True)
    return s


def connect(addr, port, timeout=10):
    s = socket.create_connection((addr, port), timeout=timeout)
    return s


def read_request(c, limit=65536):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def read_all(c):
    n = 0
    try:
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            n += len(chunk)
    except (ConnectionResetError, socket.timeout) as e:
        log("read ended:", type(e).__name__)
    return n


def http_header(length, close=False):
    h = "HTTP/1.1 200 OK\r\nServer: tcplab\r\nContent-Type: text/plain\r\n"
    if length is not None:
        h += "Content-Length: %d\r\n" % length
    if close:
        h += "Connection: close\r\n"
    return (h + "\r\n").encode()


def get_request(host, path="/"):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tcplab\r\n"
            "Accept: */*\r\n\r\n" % (path, host)).encode()


# ---------------------------------------------------------------- servers

def accept_loop(a, handler):
    s = listen(a.addr, a.port)
    for _ in range(a.conns):
        try:
            c, peer = s.accept()
        except socket.timeout:
            log("no connection")
            break
        c.settimeout(20)
        try:
            handler(c, a)
        except (BrokenPipeError, ConnectionResetError) as e:
            log("peer:", type(e).__name__)
        finally:
            try:
                c.close()
            except OSError:
                pass
    s.close()


def h_slow(c, a):
    read_request(c)
    data = http_header(a.size) + body(a.size)
    for i in range(0, len(data), a.chunk):
        c.sendall(data[i:i + a.chunk])
        time.sleep(a.delay)


def h_rst(c, a):
    read_request(c)
    c.sendall(http_header(a.size * 4) + body(a.size))
    time.sleep(a.delay)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
    # close() in accept_loop now sends RST


def h_halfclose(c, a):
    got = b""
    while True:
        chunk = c.recv(4096)
        if not chunk:
            break
        got += chunk
    log("request bytes:", len(got), "-> client half-closed")
    time.sleep(a.delay)
    for i in range(a.chunks):
        c.sendall(b"reply %d after your FIN: " % i + body(a.chunk))
        time.sleep(a.delay)


def h_close(c, a):
    read_request(c)
    # no Content-Length: the body ends where the server closes, so the
    # client has to wait for the server's FIN before it closes too
    c.sendall(http_header(None, close=True) + body(a.size))
    # close() in accept_loop: the server closes first


def h_echo(c, a):
    f = c.makefile("rb")
    for line in f:
        c.sendall(b"echo: " + line)
    f.close()


def h_simclose(c, a):
    f = c.makefile("rb")
    line = f.readline().split()
    t = float(line[1])
    c.sendall(b"OK\n")
    time.sleep(max(0.0, t - time.time()))
    c.shutdown(socket.SHUT_WR)
    f.read()
    f.close()


# ---------------------------------------------------------------- clients

def c_get_rst(a):
    s = connect(a.addr, a.port)
    s.sendall(get_request(a.host, "/big"))
    n = 0
    while n < a.after:
        chunk = s.recv(4096)
        if not chunk:
            break
        n += len(chunk)
    log("read", n, "bytes, aborting with RST")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
    s.close()


def c_get(a):
    s = connect(a.addr, a.port)
    s.sendall(get_request(a.host))
    n = read_all(s)
    log("read", n, "bytes")
    time.sleep(a.delay)
    s.close()


def c_get_same_port(a):
    # The same client port for every request: the server closes first, so
    # its side holds the TIME_WAIT and the client may bind the port again;
    # the server's kernel takes the new SYN (higher sequence number) as a
    # new connection on the same address/port pair.
    for i in range(a.count):
        s = socket.socket(family_of(a.addr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(10)
        s.bind(("", a.sport))
        s.connect((a.addr, a.port))
        s.sendall(get_request(a.host, "/%d" % (i + 1)))
        n = read_all(s)
        log("request", i + 1, "read", n, "bytes")
        s.close()
        time.sleep(a.delay)


def c_halfclose(a):
    s = connect(a.addr, a.port)
    s.sendall(b"REQUEST please answer after my FIN\n")
    time.sleep(a.delay)
    s.shutdown(socket.SHUT_WR)
    n = read_all(s)
    log("read", n, "bytes after half-close")
    s.close()


def c_echo(a):
    s = connect(a.addr, a.port)
    print("connected", flush=True)
    deadline = time.time() + 20
    while not os.path.exists(a.go_file) and time.time() < deadline:
        time.sleep(0.05)
    f = s.makefile("rb")
    for i in range(a.count):
        s.sendall(b"message %d\n" % i)
        f.readline()
        time.sleep(a.delay)
    f.close()
    s.close()


def c_simclose(a):
    s = connect(a.addr, a.port)
    t = time.time() + a.lead
    s.sendall(b"CLOSE %.6f\n" % t)
    f = s.makefile("rb")
    f.readline()
    time.sleep(max(0.0, t - time.time()))
    s.shutdown(socket.SHUT_WR)
    f.read()
    f.close()
    s.close()


def c_syn_abort(a):
    s = socket.socket(family_of(a.addr), socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect((a.addr, a.port))
    except BlockingIOError:
        pass
    time.sleep(a.delay)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
    s.close()
    print("closed", flush=True)


MODES = {
    "serve-slow": lambda a: accept_loop(a, h_slow),
    "serve-rst": lambda a: accept_loop(a, h_rst),
    "serve-halfclose": lambda a: accept_loop(a, h_halfclose),
    "serve-close": lambda a: accept_loop(a, h_close),
    "serve-echo": lambda a: accept_loop(a, h_echo),
    "serve-simclose": lambda a: accept_loop(a, h_simclose),
    "get-rst": c_get_rst,
    "get": c_get,
    "halfclose": c_halfclose,
    "echo": c_echo,
    "simclose": c_simclose,
    "syn-abort": c_syn_abort,
    "get-same-port": c_get_same_port,
}


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=sorted(MODES))
    p.add_argument("--addr", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="lab.example")
    p.add_argument("--conns", type=int, default=1, help="server: connections to accept")
    p.add_argument("--size", type=int, default=4096, help="body bytes")
    p.add_argument("--chunk", type=int, default=1000)
    p.add_argument("--chunks", type=int, default=3)
    p.add_argument("--delay", type=float, default=0.1)
    p.add_argument("--after", type=int, default=30000, help="get-rst: bytes before RST")
    p.add_argument("--count", type=int, default=4)
    p.add_argument("--lead", type=float, default=0.5)
    p.add_argument("--go-file", default="")
    p.add_argument("--sport", type=int, default=40123, help="get-same-port: client port")
    p.add_argument("--deadline", type=int, default=30, help="hard time limit, seconds")
    a = p.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(a.deadline)
    MODES[a.mode](a)


if __name__ == "__main__":
    main()
