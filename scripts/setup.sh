#!/bin/sh
# Set up a virtual environment in .venv with rulesengine installed from this checkout.
#   sh scripts/setup.sh        the engine only
#   sh scripts/setup.sh dev    plus the test tools (pytest, hypothesis, ruff)
# Works on a fresh Debian machine with Python 3.11; installs python3-venv if it is missing.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c "import venv, ensurepip" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    else
        echo "error: Python's venv module is missing; install it with: sudo apt-get install python3-venv" >&2
        exit 2
    fi
fi
# Diagrams (`rulesengine render`, the HTML report) need Graphviz and a CJK font so that
# Chinese labels render as glyphs; install them when this machine can, else say how.
if ! command -v dot >/dev/null 2>&1 || ! { command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "Noto Sans CJK"; }; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            graphviz fonts-noto-cjk fontconfig >/dev/null || echo "note: could not install graphviz and fonts-noto-cjk" >&2
    else
        echo "note: for SVG/PNG/PDF diagrams install Graphviz and a CJK font: sudo apt-get install graphviz fonts-noto-cjk" >&2
    fi
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
case "${1:-}" in
    dev) .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]" ;;
    *) .venv/bin/python -m pip install -q --disable-pip-version-check -e . ;;
esac
