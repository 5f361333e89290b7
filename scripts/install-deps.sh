#!/bin/bash
# Install the Debian 12 packages dpgw needs to build, test and run its demo.
# Idempotent: only calls apt-get when something is missing. Run as root.
set -euo pipefail

PKGS=(
	# build
	build-essential meson ninja-build pkg-config
	dpdk dpdk-dev libdpdk-dev
	libconfig-dev libjansson-dev libyaml-dev libcurl4-openssl-dev libssl-dev libcmocka-dev
	# sanitizers and fuzzing (clang's libFuzzer and ASan runtimes)
	clang libclang-rt-14-dev
	# lab peers and tools
	iproute2 ethtool iputils-ping iputils-arping python3 python3-scapy tcpdump procps psmisc
	curl socat iperf3 nftables
	# benchmarks
	jq
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
