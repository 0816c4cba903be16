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
  late-write      send a GET, read until the server's FIN, then write once
                  more with the FIN in the same segment (TCP_CORK): the
                  server, whose socket is closed, answers with RST
                  (rst_after_fins).

TLS and plaintext-prelude programs (tls_starttls, tls_midstream_*,
tls_sslv2_hello, midstream_plaintext):
  serve-starttls  --proto smtp|imap|pop3|ftp: a minimal server of that
                  protocol that switches to TLS (python ssl, --cert/--key)
                  on STARTTLS / STLS / AUTH TLS, answers one command over
                  TLS, then closes.
  starttls        --proto ...: Python's own smtplib / imaplib / poplib /
                  ftplib client: connect, STARTTLS (verified against
                  --cafile), one command, quit.
  tls-session     python ssl client (--tls 1.2|1.3, --keylog FILE): connect,
                  handshake, wait --lead seconds, then --count keep-alive
                  GETs of --path, --delay apart, send close_notify, close.
  sslv2-hello     send an SSLv2-format ClientHello offering TLS 1.2 (as old
                  clients did), read the server's answer for --delay
                  seconds, close.
  serve-binary / binary    a framed binary protocol whose messages begin
                  17 03 03 (like a TLS record header) with a length that
                  counts the 5-byte header too, so the lengths never chain
                  as TLS records would.
  serve-sshlike / sshlike  SSH-style banners, then length-prefixed packets.
  http-keepalive  --count GETs on one connection, --delay apart.
  The binary, sshlike and http-keepalive clients print "connected" and wait
  for --go-file before they talk (the capture starts in between).
"""

import argparse
import os
import ssl
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


def c_late_write(a):
    s = connect(a.addr, a.port)
    s.sendall(get_request(a.host))
    n = read_all(s)
    log("read", n, "bytes, server closed; writing after its FIN")
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
    s.send(b"late data after the close\n")
    s.shutdown(socket.SHUT_WR)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
    s.settimeout(2)
    read_all(s)
    s.close()


# ---------------------------------------------------------------- TLS

def server_context(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    return ctx


def client_context(a):
    ctx = ssl.create_default_context(cafile=a.cafile)
    if a.tls == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif a.tls == "1.3":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if a.keylog:
        ctx.keylog_filename = a.keylog
    return ctx


class LineConn:
    """Line-oriented server side of a connection that may switch to TLS."""

    def __init__(self, c):
        self.c = c
        self.buf = b""

    def send(self, text):
        self.c.sendall(text.encode())

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.c.recv(4096)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("ascii", "replace")

    def starttls(self, ctx):
        self.c = ctx.wrap_socket(self.c, server_side=True)


def h_starttls(c, a):
    ctx = server_context(a)
    conn = LineConn(c)
    p = a.proto
    if p == "smtp":
        conn.send("220 lab.example ESMTP tcplab\r\n")
        while True:
            line = conn.line()
            if line is None:
                break
            cmd = line.split(" ")[0].upper()
            if cmd in ("EHLO", "HELO"):
                if isinstance(conn.c, ssl.SSLSocket):
                    conn.send("250-lab.example\r\n250 SIZE 1000000\r\n")
                else:
                    conn.send("250-lab.example\r\n250 STARTTLS\r\n")
            elif cmd == "STARTTLS":
                conn.send("220 2.0.0 Ready to start TLS\r\n")
                conn.starttls(ctx)
            elif cmd == "NOOP":
                conn.send("250 2.0.0 OK\r\n")
            elif cmd == "QUIT":
                conn.send("221 2.0.0 Bye\r\n")
                break
            else:
                conn.send("502 5.5.2 Error: command not recognized\r\n")
    elif p == "imap":
        conn.send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] tcplab ready\r\n")
        while True:
            line = conn.line()
            if line is None:
                break
            tag, _, rest = line.partition(" ")
            cmd = rest.split(" ")[0].upper()
            if cmd == "CAPABILITY":
                caps = "IMAP4rev1" if isinstance(conn.c, ssl.SSLSocket) else "IMAP4rev1 STARTTLS"
                conn.send("* CAPABILITY %s\r\n%s OK CAPABILITY completed\r\n" % (caps, tag))
            elif cmd == "STARTTLS":
                conn.send("%s OK Begin TLS negotiation now\r\n" % tag)
                conn.starttls(ctx)
            elif cmd == "NOOP":
                conn.send("%s OK NOOP completed\r\n" % tag)
            elif cmd == "LOGOUT":
                conn.send("* BYE tcplab logging out\r\n%s OK LOGOUT completed\r\n" % tag)
                break
            else:
                conn.send("%s BAD unknown command\r\n" % tag)
    elif p == "pop3":
        conn.send("+OK tcplab POP3 ready\r\n")
        while True:
            line = conn.line()
            if line is None:
                break
            cmd = line.split(" ")[0].upper()
            if cmd == "CAPA":
                conn.send("+OK Capability list follows\r\nUSER\r\n%s.\r\n"
                          % ("" if isinstance(conn.c, ssl.SSLSocket) else "STLS\r\n"))
            elif cmd == "STLS":
                conn.send("+OK Begin TLS negotiation\r\n")
                conn.starttls(ctx)
            elif cmd == "NOOP":
                conn.send("+OK\r\n")
            elif cmd == "QUIT":
                conn.send("+OK tcplab POP3 server signing off\r\n")
                break
            else:
                conn.send("-ERR unknown command\r\n")
    elif p == "ftp":
        conn.send("220 tcplab FTP ready\r\n")
        while True:
            line = conn.line()
            if line is None:
                break
            cmd = line.split(" ")[0].upper()
            if cmd == "AUTH":
                conn.send("234 AUTH TLS successful\r\n")
                conn.starttls(ctx)
            elif cmd == "USER":
                conn.send("331 Please specify the password.\r\n")
            elif cmd == "PASS":
                conn.send("230 Login successful.\r\n")
            elif cmd == "NOOP":
                conn.send("200 NOOP ok.\r\n")
            elif cmd == "QUIT":
                conn.send("221 Goodbye.\r\n")
                break
            else:
                conn.send("502 Command not implemented.\r\n")
    if isinstance(conn.c, ssl.SSLSocket):
        try:
            conn.c.unwrap()         # close_notify, then the TCP close
        except (OSError, ssl.SSLError):
            pass


def c_starttls(a):
    import ftplib
    import imaplib
    import poplib
    import smtplib
    ctx = client_context(a)
    p = a.proto
    if p == "smtp":
        m = smtplib.SMTP(a.addr, a.port, local_hostname="client.example", timeout=10)
        m._host = a.host            # SNI and certificate check: the lab name
        m.ehlo()
        m.starttls(context=ctx)
        m.ehlo()
        m.noop()
        m.quit()
    elif p == "imap":
        m = imaplib.IMAP4(a.addr, a.port, timeout=10)
        m.host = a.host
        m.starttls(ssl_context=ctx)
        m.noop()
        m.logout()
    elif p == "pop3":
        m = poplib.POP3(a.addr, a.port, timeout=10)
        m.host = a.host
        m.stls(context=ctx)
        m.noop()
        m.quit()
    elif p == "ftp":
        m = ftplib.FTP_TLS(context=ctx, timeout=10)
        m.connect(a.addr, a.port)
        m.host = a.host
        m.auth()
        m.login("anonymous", "lab@example")
        m.voidcmd("NOOP")
        m.quit()
    log(p, "STARTTLS session done")


def read_http_response(s, buf=b""):
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return b""
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return rest[length:]


def c_tls_session(a):
    ctx = client_context(a)
    raw = connect(a.addr, a.port)
    s = ctx.wrap_socket(raw, server_hostname=a.host)
    log("handshake done:", s.version())
    time.sleep(a.lead)
    buf = b""
    for i in range(a.count):
        s.sendall(get_request(a.host, a.path))
        buf = read_http_response(s, buf)
        time.sleep(a.delay)
    try:
        s.unwrap()
    except (OSError, ssl.SSLError):
        pass
    raw.close()


def c_sslv2_hello(a):
    # SSLv2-compatible ClientHello (RFC 5246 appendix E.2): version TLS 1.2,
    # cipher specs in 3-byte form, no session id, 32-byte challenge.
    specs = bytes.fromhex("00c02f" "00c030" "00009c" "00002f" "000035" "0000ff")
    challenge = bytes(range(32))
    body = (bytes([1, 3, 3]) + struct.pack(">HHH", len(specs), 0, len(challenge))
            + specs + challenge)
    hello = struct.pack(">H", 0x8000 | len(body)) + body
    s = connect(a.addr, a.port)
    s.sendall(hello)
    s.settimeout(a.delay)
    n = 0
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            n += len(chunk)
    except (socket.timeout, ConnectionResetError):
        pass
    log("server answered", n, "bytes")
    s.close()


# ---------------------------------------------------------------- plaintext look-alikes

def wait_go(a):
    print("connected", flush=True)
    deadline = time.time() + 20
    while not os.path.exists(a.go_file) and time.time() < deadline:
        time.sleep(0.05)


def recv_exact(c, n):
    data = b""
    while len(data) < n:
        chunk = c.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def binary_msg(text):
    # 17 03 03, then a 16-bit length of the whole message (header included)
    return b"\x17\x03\x03" + struct.pack(">H", 5 + len(text)) + text


def read_binary_msg(c):
    head = recv_exact(c, 5)
    if head is None:
        return None
    return recv_exact(c, struct.unpack(">H", head[3:5])[0] - 5)


def h_binary(c, a):
    while True:
        m = read_binary_msg(c)
        if m is None:
            break
        c.sendall(binary_msg(b"ack " + m))


def c_binary(a):
    s = connect(a.addr, a.port)
    wait_go(a)
    for i in range(a.count):
        s.sendall(binary_msg(b"reading %d: " % i + body(60 + 20 * i)))
        read_binary_msg(s)
        time.sleep(a.delay)
    s.close()


def ssh_packet(payload):
    pad = 4 + (8 - (len(payload) + 9) % 8) % 8
    return struct.pack(">IB", len(payload) + pad + 1, pad) + payload + bytes(pad)


def read_ssh_packet(c):
    head = recv_exact(c, 4)
    if head is None:
        return None
    return recv_exact(c, struct.unpack(">I", head)[0])


def h_sshlike(c, a):
    c.sendall(b"SSH-2.0-tcplab_1.0\r\n")
    f = c.makefile("rb")
    f.readline()
    f.close()
    while True:
        p = read_ssh_packet(c)
        if p is None:
            break
        c.sendall(ssh_packet(b"\x5e" + bytes(40)))


def c_sshlike(a):
    s = connect(a.addr, a.port)
    s.sendall(b"SSH-2.0-tcplab_client\r\n")
    f = s.makefile("rb")
    f.readline()
    f.close()
    wait_go(a)
    for i in range(a.count):
        s.sendall(ssh_packet(b"\x5e" + body(30 + 10 * i)))
        read_ssh_packet(s)
        time.sleep(a.delay)
    s.close()


def c_http_keepalive(a):
    s = connect(a.addr, a.port)
    wait_go(a)
    buf = b""
    for i in range(a.count):
        s.sendall(get_request(a.host, a.path))
        buf = read_http_response(s, buf)
        time.sleep(a.delay)
    s.close()


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
    "late-write": c_late_write,
    "serve-starttls": lambda a: accept_loop(a, h_starttls),
    "starttls": c_starttls,
    "tls-session": c_tls_session,
    "sslv2-hello": c_sslv2_hello,
    "serve-binary": lambda a: accept_loop(a, h_binary),
    "binary": c_binary,
    "serve-sshlike": lambda a: accept_loop(a, h_sshlike),
    "sshlike": c_sshlike,
    "http-keepalive": c_http_keepalive,
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
    p.add_argument("--proto", default="smtp", help="starttls: smtp, imap, pop3 or ftp")
    p.add_argument("--cert", default="", help="server certificate (PEM)")
    p.add_argument("--key", default="", help="server key (PEM)")
    p.add_argument("--cafile", default=None, help="CA the TLS clients trust")
    p.add_argument("--tls", default="", help="tls-session, starttls: 1.2 or 1.3")
    p.add_argument("--keylog", default="", help="write TLS secrets here (SSLKEYLOGFILE format)")
    p.add_argument("--path", default="/")
    a = p.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(a.deadline)
    MODES[a.mode](a)


if __name__ == "__main__":
    main()
