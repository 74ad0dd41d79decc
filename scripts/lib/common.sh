#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by scripts/run and scripts/test: find the repo, install missing Debian packages, build.
set -euo pipefail

CALLWATCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CALLWATCH_BUILD="${CALLWATCH_BUILD_DIR:-$CALLWATCH_ROOT/build}"

# Everything a clean Debian 12 needs to build, run and test Callwatch.
CALLWATCH_BUILD_PACKAGES=(
    cmake ninja-build g++ pkg-config clang-format
    qt6-base-dev qt6-websockets-dev qt6-declarative-dev libgl-dev
    libqt6sql6-sqlite libqt6sql6-psql libjwt-dev libsqlite3-dev libssl-dev
)
CALLWATCH_RUNTIME_PACKAGES=(
    qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
    qml6-module-qtquick-window qml6-module-qtquick-templates qml6-module-qtqml
    qml6-module-qtqml-models qml6-module-qtqml-workerscript qml6-module-qtwebsockets
    qml6-module-qttest qml6-module-qt-labs-settings qt6-qpa-plugins
)
CALLWATCH_TEST_PACKAGES=(postgresql openssl curl dpkg-dev)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs what is missing. As root: apt-get. Otherwise: print the exact command and stop.
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        log "Installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        log "Missing Debian packages. Install them with:"
        echo "  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

configure_and_build() {
    local werror=OFF
    [ "${CI:-}" = "true" ] && werror=ON
    log "Configuring in $CALLWATCH_BUILD"
    cmake -S "$CALLWATCH_ROOT" -B "$CALLWATCH_BUILD" -G Ninja \
        -DCMAKE_BUILD_TYPE="${CALLWATCH_BUILD_TYPE:-RelWithDebInfo}" \
        -DCALLWATCH_WERROR="$werror" "$@" >/dev/null
    log "Building"
    cmake --build "$CALLWATCH_BUILD" -j "$(nproc)"
}
