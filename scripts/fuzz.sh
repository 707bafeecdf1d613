#!/bin/sh
# Fuzz the engine at length: N mutated copies of the bundled centre (default 10000)
# through the library and the command line; prints the number of cases, crashes and
# distinct tracebacks, and writes one reproduction per traceback to .fuzz-crashes/.
#   sh scripts/fuzz.sh 20000
#   sh scripts/fuzz.sh 100000 --minutes 120 --jobs 2 --seed 7
# Exit status: 0 when nothing broke, 1 otherwise.
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000}
[ $# -gt 0 ] && shift
exec .venv/bin/python -m tests.fuzz.run --cases "$N" "$@"
