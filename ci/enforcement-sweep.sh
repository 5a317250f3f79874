#!/usr/bin/env bash
# `--checks enforcement` on every shipped protocol × version × workload
# (release build): each search must end within its default budget (exit 0
# or 1; exit 2 only for a protocol that declares no predicates), every
# counterexample it saves must replay as violated under the same mode, and
# `corpus check` must agree. Prints one line per search.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
L=target/release/ldfi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
list=$($L list --json)
rows=$(python3 -c '
import json, sys
for p in json.loads(sys.argv[1]):
    for v in p["versions"]:
        for w in p["workloads"]:
            print(p["name"], v, w)' "$list")
while read -r p v w; do
  set +e
  timeout 600 $L search --protocol "$p" --version "$v" --workload "$w" \
    --checks enforcement --corpus "$out/corpus" --json >"$out/o" 2>"$out/e"
  rc=$?
  set -e
  case $rc in
    0|1) echo "$p $v $w: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict"], d["executions"], "executions")' "$out/o")" ;;
    2) if grep -q "declares no enforcement predicates" "$out/e"; then echo "$p $v $w: no predicates (exit 2)"; else echo "$p $v $w: FAILED: $(head -1 "$out/e")"; fail=1; fi ;;
    *) echo "$p $v $w: FAILED: exit $rc"; fail=1 ;;
  esac
done <<<"$rows"
if [ -d "$out/corpus" ]; then
  for f in "$out"/corpus/*.json; do
    set +e; $L replay "$f" >/dev/null; rc=$?; set -e
    [ $rc -eq 1 ] || { echo "FAILED: $f replays with exit $rc, not as violated"; fail=1; }
  done
  $L corpus check "$out/corpus" | tail -1
  $L corpus check "$out/corpus" >/dev/null || { echo "FAILED: corpus check disagrees"; fail=1; }
fi
exit $fail
