#!/usr/bin/env bash
# Runs every native Go fuzz target briefly (FUZZTIME, default 2s), one at a
# time as `go test -fuzz` requires. Seed corpora run in `go test` anyway;
# this adds a short burst of new inputs for each parser.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-2s}
status=0
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]+).*/\1/' <<<"${line#*:}")
  pkg=./$(dirname "$file")
  echo "fuzz $pkg $name ($fuzztime)"
  if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg" >/tmp/fuzz.$$.log 2>&1; then
    cat /tmp/fuzz.$$.log
    status=1
  fi
done < <(git ls-files '*_test.go' | xargs grep -H '^func Fuzz' | sort)
rm -f /tmp/fuzz.$$.log
exit $status
