#!/usr/bin/env bash
# The recipe of README.md ("Many captures on many cores or machines") on
# another host for real, over loopback: an sshd of this test's own on
# 127.0.0.1 (a free high port; host key, client key and configs generated
# in a temporary folder; nothing read from or written to /etc/ssh, ~/.ssh
# or the system's known_hosts), reached by parallel through ssh as
# USER@tcpphase-remote (a Host of the test's ssh_config). Checks:
#   - the rows in SQLite are those of the local run (-j 2), also for a
#     mixed run (one job slot there, one here);
#   - every capture was read on the "remote" side from a copy that rsync
#     made under the ssh user's ~/.parallel/tmp (another path and inode
#     than the capture), and no copy is left after the run;
#   - the captures themselves are untouched (the same host under another
#     name is what a shared filesystem gives too).
# The remote side finds tcpphase-batch in the PATH of its ssh commands (as
# the README asks of each host): sshd's SetEnv gives those a PATH of a
# folder with a logging wrapper around the build under test, and a HOME
# of their own (so the ssh user's shell start files are not read). Here,
# TCPPHASE_BATCH is left unset and tcpphase-batch is the same kind of
# wrapper, logging elsewhere. As root, sshd needs its privilege separation
# folder /run/sshd (made by Debian's ssh service): made here if missing,
# and left. Skipped (77) without parallel, sqlite3, rsync, ssh, ssh-keygen
# or sshd (Debian: parallel sqlite3 rsync openssh-client openssh-server).
set -euo pipefail
batch=$1 root=$2
missing=""
for t in parallel sqlite3 rsync ssh ssh-keygen; do command -v "$t" >/dev/null || missing="$missing $t"; done
sshd=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$sshd" ] || missing="$missing sshd"
if [ -n "$missing" ]; then
    echo "SKIP batch.parallel.ssh: missing$missing"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpphase-ssh.XXXXXX")
sshd_pid=""
cleanup() {
    if [ -n "$sshd_pid" ]; then
        kill "$sshd_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$sshd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$sshd_pid" 2>/dev/null || true
        wait "$sshd_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL batch.parallel.ssh: $*"
    [ -f "$tmp/sshd.log" ] && { echo "-- sshd log (last lines):"; tail -n 20 "$tmp/sshd.log"; }
    exit 1
}
user=$(id -un)

# Copies of the captures (a broken clean-up must not delete the
# project's), one with a name that needs quoting on every hop.
mkdir "$tmp/caps"
cp "$root"/captures/*.pcapng "$root"/captures/public/*.pcap "$tmp/caps/"
mv "$tmp/caps/lab_mixed.pcapng" "$tmp/caps/lab mixed, it's.pcapng"
caps=("$tmp"/caps/*)
stat -c %i -- "${caps[@]}" | sort >"$tmp/caps.inodes"

# tcpphase-batch on each side: a wrapper that logs where it runs, the
# capture it reads and that file's inode, then runs the build under test.
for side in remote local; do
    mkdir "$tmp/$side-bin"
    cat >"$tmp/$side-bin/tcpphase-batch" <<EOF
#!/bin/sh
for f; do :; done
printf '%s\t%s\t%s\n' "\$PWD" "\$f" "\$(stat -c %i -- "\$f" 2>/dev/null || echo -)" >>'$tmp/$side.log'
exec '$batch' "\$@"
EOF
    chmod 755 "$tmp/$side-bin/tcpphase-batch"
    : >"$tmp/$side.log"
done
mkdir "$tmp/remote-home"

ssh-keygen -q -t ed25519 -N '' -C tcpphase-test-host -f "$tmp/host_key"
ssh-keygen -q -t ed25519 -N '' -C tcpphase-test-client -f "$tmp/client_key"
cp "$tmp/client_key.pub" "$tmp/authorized_keys"
if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
    mkdir -m 755 /run/sshd
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# ssh through the test's config only (-F: no ~/.ssh/config). parallel gets
# it as one word: parallel 20221122 (Debian 12) loses jobs silently with
# -M and a --ssh of several words (README.md, "Many captures").
cat >"$tmp/ssh" <<EOF
#!/bin/sh
exec ssh -F '$tmp/ssh_config' "\$@"
EOF
chmod 755 "$tmp/ssh"

write_configs() {   # write_configs PORT
    cat >"$tmp/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $1
HostKey $tmp/host_key
PidFile none
AuthorizedKeysFile $tmp/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
MaxStartups 64
LoginGraceTime 30
LogLevel VERBOSE
SetEnv PATH=$tmp/remote-bin:/usr/local/bin:/usr/bin:/bin HOME=$tmp/remote-home
$penalties
EOF
    cat >"$tmp/ssh_config" <<EOF
Host tcpphase-remote
    HostName 127.0.0.1
    Port $1
    IdentityFile $tmp/client_key
    IdentitiesOnly yes
    UserKnownHostsFile $tmp/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    ConnectTimeout 10
EOF
    echo "[127.0.0.1]:$1 $(cut -d' ' -f1,2 "$tmp/host_key.pub")" >"$tmp/known_hosts"
}
# OpenSSH 9.8 and later (Debian 13 on) hold back a source address after
# connections that end without logging in; not for this test's client.
# Older sshd refuse the keyword: then it is left out.
penalties="PerSourcePenalties no"
write_configs 22
"$sshd" -t -f "$tmp/sshd_config" 2>/dev/null || penalties=""
write_configs 22
"$sshd" -t -f "$tmp/sshd_config" || fail "sshd refuses the test's config"

port=""
for _ in 1 2 3 4 5; do
    port=$(free_port)
    write_configs "$port"
    # In the foreground (-D) as a child of this script: its PID is ours
    # to stop. timeout: it goes away by itself should this script be
    # killed past its trap.
    timeout 290 "$sshd" -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
    sshd_pid=$!
    for _ in $(seq 100); do
        kill -0 "$sshd_pid" 2>/dev/null || break
        "$tmp/ssh" -o ConnectTimeout=2 "$user@tcpphase-remote" true 2>/dev/null && break 2
        sleep 0.1
    done
    # Not up: the port was taken in between, or sshd is broken.
    kill "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
    sshd_pid=""
    grep -q 'Address already in use' "$tmp/sshd.log" || fail "sshd did not start on 127.0.0.1:$port"
done
[ -n "$sshd_pid" ] || fail "no free port for sshd"
remote_pwd=$("$tmp/ssh" "$user@tcpphase-remote" pwd)
echo "sshd (pid $sshd_pid) on 127.0.0.1:$port; ssh commands start in $remote_pwd"

"$tmp/ssh" "$user@tcpphase-remote" 'command -v tcpphase-batch' | grep -qx "$tmp/remote-bin/tcpphase-batch" ||
    fail "the remote PATH does not name the test's tcpphase-batch"

run() {   # run DB PARALLEL_OPTIONS...: the recipe, bounded in time
    local db=$1; shift
    timeout 240 "$root/scripts/batch-sqlite.sh" "$tmp/$db" "${caps[@]}" -- "$@" ||
        fail "batch-sqlite.sh $* failed ($?)"
}
rows() { sqlite3 "$tmp/$1" 'SELECT * FROM conn ORDER BY file, stream'; }
# After a run over ssh: no copy left on the remote side (in a job folder
# under ~/.parallel/tmp, or in the login folder itself), every capture
# still here.
after_ssh_run() {
    local d
    for d in "$remote_pwd/${tmp#/}" "$remote_pwd"/.parallel/tmp/*/"${tmp#/}"; do
        [ ! -e "$d" ] || fail "copies left on the remote side: $d"
    done
    for c in "${caps[@]}"; do [ -f "$c" ] || fail "$c is gone"; done
}

TCPPHASE_BATCH=$batch run local.db -j 2
rows local.db >"$tmp/local.rows"
[ -s "$tmp/local.rows" ] || fail "no rows from the local run"
nfiles=$(sqlite3 "$tmp/local.db" 'SELECT count(DISTINCT file) FROM conn')
[ "$nfiles" = "${#caps[@]}" ] || fail "local run: rows from $nfiles of ${#caps[@]} captures"

export PATH="$tmp/local-bin:$PATH"
unset TCPPHASE_BATCH

# Every capture through ssh, as in README.md, with parallel's ssh
# ControlMaster (-M: one ssh connection for the 4 commands of a job,
# here 10 times faster).
start=$(date +%s)
run remote.db --ssh "$tmp/ssh" -M --sshlogin "2/$user@tcpphase-remote"
echo "remote run (2 job slots over ssh): $(( $(date +%s) - start )) s"
after_ssh_run
rows remote.db >"$tmp/remote.rows"
diff "$tmp/local.rows" "$tmp/remote.rows" >"$tmp/diff" || {
    head -n 20 "$tmp/diff"
    fail "the rows of the run over ssh differ from the local run's"
}
[ ! -s "$tmp/local.log" ] || fail "a job of the run over ssh ran here: $(head -n 1 "$tmp/local.log")"
[ "$(wc -l <"$tmp/remote.log")" = "${#caps[@]}" ] ||
    fail "$(wc -l <"$tmp/remote.log") reads on the remote side for ${#caps[@]} captures"
# Each read: in the job's folder under ~/.parallel/tmp, a relative path,
# a file that is not the capture itself.
while IFS=$'\t' read -r pwd file inode; do
    case $pwd in
        "$remote_pwd"/.parallel/tmp/*) ;;
        *) fail "read in $pwd, not in a job folder under $remote_pwd/.parallel/tmp" ;;
    esac
    case $file in
        /*) fail "read $file by its absolute path: not a copy" ;;
    esac
    [ "$inode" != - ] || fail "$pwd/$file was not there when read"
    ! grep -qx "$inode" "$tmp/caps.inodes" || fail "$pwd/$file is a capture itself (inode $inode), not a copy"
done <"$tmp/remote.log"
grep -q "Accepted publickey for $user" "$tmp/sshd.log" || fail "no ssh login in the sshd log"
echo "remote run: ${#caps[@]} captures copied, read from the copies, copies removed; rows as the local run's"

# Both kinds of host in one run, each ssh command on a connection of its
# own (no -M).
: >"$tmp/remote.log"
run mixed.db --ssh "$tmp/ssh" --sshlogin "1/$user@tcpphase-remote,1/:"
after_ssh_run
rows mixed.db >"$tmp/mixed.rows"
diff "$tmp/local.rows" "$tmp/mixed.rows" >"$tmp/diff" || {
    head -n 20 "$tmp/diff"
    fail "the rows of the mixed run differ from the local run's"
}
nr=$(wc -l <"$tmp/remote.log") nl=$(wc -l <"$tmp/local.log")
[ $((nr + nl)) = "${#caps[@]}" ] || fail "mixed run: $nr + $nl reads for ${#caps[@]} captures"
{ [ "$nr" -gt 0 ] && [ "$nl" -gt 0 ]; } || fail "mixed run: $nr captures read over ssh, $nl here"
# Here, nothing is copied: the job reads the capture itself, from /.
while IFS=$'\t' read -r pwd file inode; do
    { [ "$pwd" = / ] && grep -qx "$inode" "$tmp/caps.inodes"; } ||
        fail "mixed run: read here $file in $pwd (inode $inode), not a capture from /"
done <"$tmp/local.log"
echo "mixed run: $nr captures over ssh, $nl here; rows as the local run's"
echo "PASS"
