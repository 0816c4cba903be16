#!/usr/bin/env bash
# make-capture.sh - the large capture of real traffic for bench/run.
#
#   sudo bench/make-capture.sh             # bench/cache/big.pcapng (+ 250k/500k prefixes)
#   sudo bench/make-capture.sh --quick     # bench/cache/quick/: tiny, from captures/lab_mixed
#   bench/make-capture.sh --force ...      # remake even if the cache holds one
#
# Full mode: real clients (wrk) against a real server (nginx) inside two
# private network namespaces (tpb-srv, tpb-cli) joined by four veth pairs,
# one per kind of traffic, with addresses that exist only inside them
# (10.98.K.0/24; nothing is routed out):
#
#   kind 1 http_close      http://10.98.1.1/   wrk -H 'Connection: close' (new connection per request)
#   kind 2 http_keepalive  http://10.98.2.1/   wrk, keep-alive (nginx: 50 requests per connection)
#   kind 3 tls12           https://10.98.3.1/  nginx ssl_protocols TLSv1.2, Connection: close
#   kind 4 tls13           https://10.98.4.1/  nginx ssl_protocols TLSv1.3, Connection: close
#
# Every request fetches one of three objects in turn (a small page, a 4 KB
# page, a 24 KB asset). nginx has TLS session resumption off (no session
# cache, no tickets): wrk would otherwise resume nearly every session, and
# a full handshake (Certificate, ServerKeyExchange, ...) is the heavier
# case for the TLS walker.
#
# The four run at the same time; each is recorded by its own dumpcap
# (pcapng, capture filter "tcp", offloads off as in captures/make-captures.sh)
# on its client-side veth and stops after PER_KIND packets (-c), so the mix
# is 25% of the packets per kind, exactly. Each wrk is paced (wrk's Lua
# delay()) so that the four reach their count at about the same time and
# the kinds stay interleaved through the whole capture. mergecap merges
# the four by time into big.pcapng (4 x 251,000 = 1,004,000 packets by
# default); editcap -r cuts the 250,000 and 500,000 packet prefixes.
# Connections cut by the end of a kind's capture are left as they are.
#
# Every program is bounded (timeout, dumpcap -a duration:); only the
# processes this script started are stopped; the namespaces are deleted on
# exit and leftovers of an interrupted run are deleted at start. Reused:
# nothing is done when the cache already holds the files (use --force).
#
# Quick mode (no root needed): captures/lab_mixed.pcapng replicated with
# editcap -t (time shift) and mergecap -a into a small capture, with its
# quarter and half prefixes, under bench/cache/quick/.
#
# Environment: BENCH_PER_KIND (packets per kind, default 251000),
# BENCH_MAX_SECONDS (bound of each capture, default 900),
# BENCH_CACHE (cache folder, default bench/cache).

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${BENCH_CACHE:-$HERE/cache}
PKI=$ROOT/captures/pki
PER_KIND=${BENCH_PER_KIND:-251000}
MAX_SECONDS=${BENCH_MAX_SECONDS:-900}

NS_S=tpb-srv NS_C=tpb-cli
ALL_NS=("$NS_S" "$NS_C")
KINDS=(http_close http_keepalive tls12 tls13)

# pacing per kind: wrk connections and delay before each request (ms).
# Tuned so that the four kinds produce packets at about the same rate
# (about 2,500 packets/s each on a 2-CPU VM). Override with
# BENCH_PACE="c1:d1 c2:d2 c3:d3 c4:d4".
PACE=(${BENCH_PACE:-4:28 3:8 4:25 4:27})

log()  { printf '[make-capture] %s\n' "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }

quick=0 force=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --force) force=1 ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done

# ------------------------------------------------------------------ prefixes

# prefixes FILE N1 N2: FILE-N1.pcapng and FILE-N2.pcapng, the first N packets
prefix() {  # prefix SRC N DST
  editcap -r "$1" "$3.tmp" "1-$2" && mv "$3.tmp" "$3" && chmod 644 "$3"
}

count_packets() {
  capinfos -c -M "$1" 2>/dev/null | sed -n 's/^Number of packets:[[:space:]]*//p'
}

# ------------------------------------------------------------------ quick

make_quick() {
  local dir=$CACHE/quick src=$ROOT/captures/lab_mixed.pcapng n=${BENCH_QUICK_COPIES:-40} i
  if [ $force = 0 ] && [ -s "$dir/big.pcapng" ] && [ -s "$dir/big-250k.pcapng" ] &&
     [ -s "$dir/big-500k.pcapng" ]; then
    log "reusing $dir/big.pcapng"; return 0
  fi
  [ -s "$src" ] || die "missing $src"
  mkdir -p "$dir"
  local tmp; tmp=$(mktemp -d "${TMPDIR:-/tmp}/tpb-quick.XXXXXX")
  # each copy starts 10 s after the previous one: the same connections
  # again, one after the other (ports reused after their close, as
  # Wireshark's tcp.stream handles it)
  for i in $(seq 0 $((n - 1))); do
    editcap -t $((i * 10)) "$src" "$tmp/copy-$(printf %04d "$i").pcapng" || die "editcap failed"
  done
  mergecap -a -w "$dir/big.pcapng.tmp" "$tmp"/copy-*.pcapng || die "mergecap failed"
  mv "$dir/big.pcapng.tmp" "$dir/big.pcapng"; chmod 644 "$dir/big.pcapng"
  rm -rf "$tmp"
  local total; total=$(count_packets "$dir/big.pcapng")
  # in quick mode "250k" and "500k" stand for a quarter and a half
  prefix "$dir/big.pcapng" $((total / 4)) "$dir/big-250k.pcapng"
  prefix "$dir/big.pcapng" $((total / 2)) "$dir/big-500k.pcapng"
  printf 'quick capture: %s copies of captures/lab_mixed.pcapng, %s packets; prefixes %s and %s packets\n' \
    "$n" "$total" $((total / 4)) $((total / 2)) > "$dir/big.info"
  log "$(cat "$dir/big.info")"
}

if [ $quick = 1 ]; then
  make_quick
  exit $?
fi

# ------------------------------------------------------------------ full

BIG=$CACHE/big.pcapng
if [ $force = 0 ] && [ -s "$BIG" ] && [ -s "$CACHE/big-250k.pcapng" ] &&
   [ -s "$CACHE/big-500k.pcapng" ] && [ -s "$CACHE/big.info" ]; then
  log "reusing $BIG ($(count_packets "$BIG") packets)"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "run as root (network namespaces): sudo $0"

ensure_tools() {
  local pkgs=()
  command -v ip       >/dev/null || pkgs+=(iproute2)
  command -v ss       >/dev/null || pkgs+=(iproute2)
  command -v ethtool  >/dev/null || pkgs+=(ethtool)
  command -v nginx    >/dev/null || pkgs+=(nginx-light)
  command -v wrk      >/dev/null || pkgs+=(wrk)
  command -v openssl  >/dev/null || pkgs+=(openssl)
  command -v dumpcap  >/dev/null || pkgs+=(wireshark-common)
  command -v editcap  >/dev/null || pkgs+=(wireshark-common)
  command -v mergecap >/dev/null || pkgs+=(wireshark-common)
  command -v capinfos >/dev/null || pkgs+=(wireshark-common)
  command -v tshark   >/dev/null || pkgs+=(tshark)
  command -v timeout  >/dev/null || pkgs+=(coreutils)
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get update -qq || true
    timeout 600 apt-get install -y -qq "${pkgs[@]}" >/dev/null || die "apt-get install failed"
  fi
}

WORK=
PIDS=()

stop_pid() {  # stop_pid PID [SIGNAL]: one process we started, bounded wait, then KILL
  local pid=$1 sig=${2:-TERM} i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -"$sig" "$pid" 2>/dev/null
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

del_namespaces() {
  local ns
  for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}

cleanup() {
  local p
  for p in "${PIDS[@]}"; do stop_pid "$p" TERM; done
  del_namespaces
  [ -n "$WORK" ] && [ -d "$WORK" ] && rm -rf "$WORK"
}

wait_listen() {   # wait_listen NS ADDR:PORT
  local i
  for i in $(seq 100); do
    ip netns exec "$1" ss -Hltn "src $2" 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  log "nothing listens on $2 in $1"; return 1
}

setup_net() {
  local ns k
  for ns in "$NS_S" "$NS_C"; do
    ip netns add "$ns" || return 1
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
      net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
  done
  # a listen backlog big enough for wrk's reconnects
  ip netns exec "$NS_S" sysctl -qw net.core.somaxconn=4096 >/dev/null
  for k in 1 2 3 4; do
    ip link add "tpb-c$k" netns "$NS_C" address "02:98:00:00:0$k:02" type veth \
      peer name "tpb-s$k" netns "$NS_S" address "02:98:00:00:0$k:01" || return 1
    ip netns exec "$NS_C" ethtool -K "tpb-c$k" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    ip netns exec "$NS_S" ethtool -K "tpb-s$k" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    ip -n "$NS_C" addr add "10.98.$k.2/24" dev "tpb-c$k"
    ip -n "$NS_S" addr add "10.98.$k.1/24" dev "tpb-s$k"
    ip -n "$NS_C" link set "tpb-c$k" up
    ip -n "$NS_S" link set "tpb-s$k" up
  done
}

make_docroot() {
  local d=$WORK/www
  mkdir -p "$d"
  # three sizes: a small page, a 4 KB page, a 24 KB asset
  { printf '<!DOCTYPE html>\n<html><head><title>tcpphase bench</title></head><body>\n'
    printf '<p>small page</p>\n</body></html>\n'; } > "$d/s.html"
  { printf '<!DOCTYPE html>\n<html><body>\n'
    for _ in $(seq 60); do printf '<p>medium page, line of text for the benchmark</p>\n'; done
    printf '</body></html>\n'; } > "$d/m.html"
  head -c 24576 /dev/zero | tr '\0' 'x' > "$d/l.css"
  find "$d" -type f -exec touch -d '2024-01-01 00:00:00 UTC' {} +
  chmod -R a+rX "$WORK"
  # wrk script: cycles through the three, paced by delay()
  cat > "$WORK/pace.lua" <<'EOF'
local paths = { "/s.html", "/m.html", "/s.html", "/l.css" }
local i = 0
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
request = function()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
delay = function()
  return pause
end
EOF
}

start_nginx() {
  local d=$WORK/nginx
  mkdir -p "$d/tmp"
  local ssl="ssl_certificate $PKI/server.crt; ssl_certificate_key $PKI/server.key;"
  cat > "$d/nginx.conf" <<EOF
user root;
worker_processes 2;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  default_type text/html;
  types { text/html html; text/css css; }
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  keepalive_timeout 30;
  keepalive_requests 50;
  root $WORK/www;
  server { listen 10.98.1.1:80; server_name lab.example; }
  server { listen 10.98.2.1:80; server_name lab.example; }
  server { listen 10.98.3.1:443 ssl; server_name lab.example; $ssl
           ssl_protocols TLSv1.2; ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256;
           ssl_session_cache off; ssl_session_tickets off; }
  server { listen 10.98.4.1:443 ssl; server_name lab.example; $ssl
           ssl_protocols TLSv1.3; ssl_session_cache off; ssl_session_tickets off; }
}
EOF
  ip netns exec "$NS_S" timeout -k 5 $((MAX_SECONDS + 120)) nginx -p "$d" -c "$d/nginx.conf" \
    </dev/null >"$d/stdout.log" 2>&1 &
  PIDS+=($!)
  wait_listen "$NS_S" 10.98.1.1:80 && wait_listen "$NS_S" 10.98.2.1:80 &&
    wait_listen "$NS_S" 10.98.3.1:443 && wait_listen "$NS_S" 10.98.4.1:443 ||
    { cat "$d/error.log" >&2; return 1; }
}

url_of() {
  case $1 in
    1) echo http://10.98.1.1/ ;;  2) echo http://10.98.2.1/ ;;
    3) echo https://10.98.3.1/ ;; 4) echo https://10.98.4.1/ ;;
  esac
}

main() {
  ensure_tools
  mkdir -p "$CACHE"
  del_namespaces
  WORK=$(mktemp -d /tmp/tpb-capture.XXXXXX)
  chmod 755 "$WORK"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  make_docroot
  setup_net || die "namespace setup failed"
  start_nginx || die "nginx did not start"

  # warm-up request per kind, outside the capture
  local k
  for k in 1 2 3 4; do
    ip netns exec "$NS_C" timeout 20 wrk -t1 -c1 -d1s "$(url_of $k)" >/dev/null 2>&1 ||
      die "wrk cannot reach $(url_of $k)"
  done

  local cap=() capp=() wrkp=()
  for k in 1 2 3 4; do
    cap[$k]=$WORK/kind$k.pcapng
    ip netns exec "$NS_C" timeout -s INT -k 10 $((MAX_SECONDS + 30)) \
      dumpcap -q -B 64 -i "tpb-c$k" -f tcp -c "$PER_KIND" -a "duration:$MAX_SECONDS" \
      -w "${cap[$k]}" >"$WORK/dumpcap$k.log" 2>&1 &
    capp[$k]=$!; PIDS+=(${capp[$k]})
  done
  local i
  for i in $(seq 100); do
    [ -s "${cap[1]}" ] && [ -s "${cap[2]}" ] && [ -s "${cap[3]}" ] && [ -s "${cap[4]}" ] && break
    sleep 0.1
  done
  sleep 0.5
  log "capturing ${KINDS[*]}: $PER_KIND packets each (bound: $MAX_SECONDS s)"
  local start=$SECONDS
  for k in 1 2 3 4; do
    local pace=${PACE[$((k - 1))]} conn delay hdr=()
    conn=${pace%%:*} delay=${pace##*:}
    [ "$k" = 2 ] || hdr=(-H 'Connection: close')
    BENCH_DELAY_MS=$delay ip netns exec "$NS_C" timeout -s INT -k 10 $((MAX_SECONDS + 20)) \
      wrk -t1 -c"$conn" -d"$((MAX_SECONDS + 10))s" --timeout 10s -s "$WORK/pace.lua" \
      "${hdr[@]}" "$(url_of $k)" </dev/null >"$WORK/wrk$k.log" 2>&1 &
    wrkp[$k]=$!; PIDS+=(${wrkp[$k]})
  done
  # stop each client as soon as its capture has its packets
  local left=4 done_k=()
  while [ $left -gt 0 ]; do
    for k in 1 2 3 4; do
      [ -n "${done_k[$k]:-}" ] && continue
      if ! kill -0 "${capp[$k]}" 2>/dev/null; then
        done_k[$k]=1; left=$((left - 1))
        stop_pid "${wrkp[$k]}" INT
        log "${KINDS[$((k - 1))]}: done after $((SECONDS - start)) s"
      fi
    done
    sleep 0.5
  done
  for k in 1 2 3 4; do
    wait "${capp[$k]}" 2>/dev/null
    grep -h -i 'dropped\|captured' "$WORK/dumpcap$k.log" | sed "s/^/[make-capture] kind $k: /" >&2
    sed -n '/Requests\/sec\|requests in\|Socket errors/p' "$WORK/wrk$k.log" |
      sed "s/^/[make-capture] ${KINDS[$((k - 1))]} wrk: /" >&2
  done

  mergecap -w "$BIG.tmp" "${cap[1]}" "${cap[2]}" "${cap[3]}" "${cap[4]}" || die "mergecap failed"
  mv "$BIG.tmp" "$BIG"; chmod 644 "$BIG"
  local total; total=$(count_packets "$BIG")
  [ "${total:-0}" -ge 1000000 ] || log "WARNING: only $total packets (bounded by $MAX_SECONDS s)"
  prefix "$BIG" 250000 "$CACHE/big-250k.pcapng"
  prefix "$BIG" 500000 "$CACHE/big-500k.pcapng"
  describe > "$CACHE/big.info"
  cat "$CACHE/big.info" >&2
}

# the mix per file: packets and connections (SYNs) per kind (= capture
# interface), and the time the capture spans
describe() {
  local f
  printf 'big.pcapng: real traffic, wrk against nginx in network namespaces, %s packets per kind\n' "$PER_KIND"
  printf 'kinds by interface: 0=http_close 1=http_keepalive 2=tls12 3=tls13\n'
  for f in big-250k big-500k big; do
    printf '%s: %s packets, %s s;' "$f" "$(count_packets "$CACHE/$f.pcapng")" \
      "$(capinfos -u -M "$CACHE/$f.pcapng" | sed -n 's/^Capture duration:[[:space:]]*\([0-9.]*\).*/\1/p')"
    tshark -n -r "$CACHE/$f.pcapng" -T fields -e frame.interface_id -e tcp.flags.syn -e tcp.flags.ack 2>/dev/null |
      awk '{ p[$1]++; if ($2 == 1 && $3 == 0) c[$1]++; n++ }
           END { for (i = 0; i < 4; i++)
                   printf " kind %d: %.1f%% of packets, %d connections;", i, 100 * p[i] / n, c[i];
                 printf "\n" }'
  done
}

main
