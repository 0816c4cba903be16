#!/bin/sh
# check-package.sh DEB SOURCE_DIR
# Checks a tcpphase .deb as a user meets it, on a Debian system with the
# matching Wireshark (scripts/matrix.sh runs it in each root): apt-get
# installs it, tshark lists tcpphase.so as a dissector plugin in its system
# plugin folder, a capture shows the expected steps through the installed
# plugin, tshark -C finds the installed profile, and purge removes both.
# Needs root; leaves the system as it found it.
set -eu
deb=$(realpath "$1")
src=$2
cap="$src/captures/lab_http.pcapng"
expected="$src/tests/tshark/expected/lab_http.packets.tsv"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "$deb"

plugin_dir=$(tshark -G folders | sed -n 's/^Global Plugins:[[:space:]]*//p')
so="$plugin_dir/epan/tcpphase.so"
config_dir=$(tshark -G folders | sed -n 's/^Global configuration:[[:space:]]*//p')
profile="$config_dir/profiles/tcpphase"
dpkg -L tcpphase | grep -qx "$so" || { echo "the package does not install $so"; exit 1; }
dpkg -L tcpphase | grep -qx "$profile/preferences" ||
    { echo "the package does not install $profile"; exit 1; }
batch=$(dpkg -L tcpphase | grep '/bin/tcpphase-batch$') ||
    { echo "the package does not install tcpphase-batch"; exit 1; }
"$batch" "$cap" | head -1 | grep -q '^stream,client,server,' ||
    { echo "the installed tcpphase-batch does not write the CSV header"; exit 1; }
echo "installed tcpphase-batch: $batch writes the CSV"

line=$(tshark -G plugins | grep '^tcpphase\.so') || { echo "tshark does not list tcpphase.so"; exit 1; }
echo "tshark -G plugins: $line"
# name, version, type, path
printf '%s\n' "$line" | awk -F'\t' -v so="$so" '{ exit !($3 == "dissector" && $4 == so) }' ||
    { echo "tcpphase.so is not listed as a dissector from $so"; exit 1; }

# The installed plugin over the lab capture: every packet's step as the
# committed expectation says.
tshark -G values | awk -F'\t' '$1 == "V" && $2 == "tcpphase.step" { print $3 "\t" $4 }' \
    > "$scratch/labels"
tshark -r "$cap" -Y tcpphase -T fields -e tcpphase.step > "$scratch/steps"
awk -F'\t' 'NR == FNR { label[$1] = $2; next } { print label[$1] }' \
    "$scratch/labels" "$scratch/steps" > "$scratch/got"
awk -F'\t' '!/^#/ && $1 != "frame" { print $4 }' "$expected" > "$scratch/want"
cmp -s "$scratch/got" "$scratch/want" ||
    { echo "installed plugin: steps differ"; diff "$scratch/want" "$scratch/got"; exit 1; }
echo "installed plugin: $(wc -l < "$scratch/got") packets of lab_http with the expected steps"

# tshark -C finds the global profile (and copies it into the scratch
# personal folder).
HOME=$scratch XDG_CONFIG_HOME=$scratch/.config tshark -C tcpphase -r "$cap" \
    -Y 'tcpphase.phase == "handshake"' -T fields -e frame.number > "$scratch/handshakes"
[ -s "$scratch/handshakes" ] || { echo "tshark -C tcpphase: no packets"; exit 1; }
echo "tshark -C tcpphase: profile found, $(wc -l < "$scratch/handshakes") handshake packets"

apt-get purge -y -qq tcpphase
if [ -e "$so" ] || [ -e "$profile" ] || [ -e "$batch" ] ||
    tshark -G plugins | grep -q '^tcpphase\.so'; then
    echo "apt-get purge tcpphase left the plugin, the profile or tcpphase-batch behind"
    exit 1
fi
echo "apt-get purge tcpphase: plugin, profile and tcpphase-batch gone"
