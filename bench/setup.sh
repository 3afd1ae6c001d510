#!/usr/bin/env bash
# Installs what `make bench` needs, once: wrk (Debian), localstripe 1.15.10 in its own venv, stripe-mock
# v0.203.0 (`go install` from the Go module proxy; skipped with a note when Go is missing), and a bench
# venv with matplotlib (the chart) and py-spy (profiles). Everything but wrk lives under bench/.work/.
set -euo pipefail
cd "$(dirname "$0")"
WORK=.work
PYTHON=${PYTHON:-python3}
mkdir -p "$WORK"

if ! command -v wrk >/dev/null; then
    echo "bench: installing wrk from Debian (apt-get) ..."
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk >/dev/null
fi

if [ ! -f "$WORK/localstripe/.installed-1.15.10" ]; then
    echo "bench: installing localstripe 1.15.10 from PyPI into $WORK/localstripe ..."
    rm -rf "$WORK/localstripe"
    "$PYTHON" -m venv "$WORK/localstripe"
    "$WORK/localstripe/bin/pip" install --quiet --disable-pip-version-check 'localstripe==1.15.10'
    touch "$WORK/localstripe/.installed-1.15.10"
fi

STRIPE_MOCK_VERSION=v0.203.0  # also in bench/harness/servers.py
if [ ! -f "$WORK/stripe-mock/.installed-$STRIPE_MOCK_VERSION" ]; then
    if command -v go >/dev/null; then
        echo "bench: installing stripe-mock $STRIPE_MOCK_VERSION (go install) into $WORK/stripe-mock ..."
        rm -rf "$WORK/stripe-mock"
        # The module and build caches stay under bench/.work/go, so a reinstall is offline.
        GOBIN="$PWD/$WORK/stripe-mock/bin" GOPATH="$PWD/$WORK/go" GOMODCACHE="$PWD/$WORK/go/mod" \
            GOCACHE="$PWD/$WORK/go/build" GOFLAGS="-modcacherw" GOTOOLCHAIN=local \
            go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
        touch "$WORK/stripe-mock/.installed-$STRIPE_MOCK_VERSION"
    else
        echo "bench: go not found: the stripe-mock scenarios will be reported as skipped (install Go to run them)"
    fi
fi

if [ ! -f "$WORK/venv/.installed-1" ]; then
    echo "bench: installing matplotlib and py-spy from PyPI into $WORK/venv ..."
    rm -rf "$WORK/venv"
    "$PYTHON" -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check matplotlib py-spy
    touch "$WORK/venv/.installed-1"
fi
