#!/usr/bin/env bash
# Installs what `make bench` needs, once: wrk (Debian), localstripe 1.15.10 in its own venv, and a bench
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

if [ ! -f "$WORK/venv/.installed-1" ]; then
    echo "bench: installing matplotlib and py-spy from PyPI into $WORK/venv ..."
    rm -rf "$WORK/venv"
    "$PYTHON" -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check matplotlib py-spy
    touch "$WORK/venv/.installed-1"
fi
