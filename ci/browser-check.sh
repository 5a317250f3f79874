#!/usr/bin/env bash
# A real browser reads the HTML reports: generates the reports of a
# counterexample and a certificate (es-replication, web forum), of a replay
# and of a corpus check with the release binary, loads every page in
# headless Chromium (Debian's package, installed when /usr/bin/chromium is
# absent), fails on any console message or uncaught error (the pages have
# no scripts: any console output is a fault), and takes a screenshot of
# each page, naming its path.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "browser-check: installing Debian's chromium"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
bin="$target/release/ldfi"
out="$(cd "$target" && pwd)/browser-check"
rm -rf "$out"
mkdir -p "$out/reports" "$out/screenshots"

# Runs ldfi with --report, expecting exit code $1.
report() {
  local want="$1"; shift
  local rc=0
  "$bin" "$@" >/dev/null 2>"$out/ldfi.err" || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "browser-check: 'ldfi $*' exited $rc, expected $want" >&2
    cat "$out/ldfi.err" >&2
    exit 1
  fi
}
r="$out/reports"
report 1 search --protocol es-replication --version v1 --no-save --report "$r/es-counterexample"
report 0 search --protocol es-replication --version v5 --no-save --report "$r/es-certificate"
report 1 search --protocol web-forum --version insert-before-auth --no-save --report "$r/forum-counterexample"
report 0 search --protocol web-forum --version correct --no-save --report "$r/forum-certificate"
report 1 replay scenarios/web-forum-insert-before-auth.json --report "$r/replay"
report 0 corpus check scenarios/corpus/es-replication/v3 --report "$r/corpus"

# Loads one page in its own browser profile; screenshot and log beside
# each other; a `.failed` file marks a failure.
load() {
  local page="$1"
  local name shot log profile
  name="$(basename "$(dirname "$page")")-$(basename "$page" .html)"
  shot="$out/screenshots/$name.png"
  log="$out/screenshots/$name.log"
  profile="$(mktemp -d)"
  timeout 90 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 \
    --window-size=1400,1800 --screenshot="$shot" "file://$page" >/dev/null 2>"$log" || true
  rm -rf "$profile"
  if grep -E ':CONSOLE|Uncaught|Failed to load' "$log" >&2; then
    echo "browser-check: console output on $page (log $log)" >&2
    touch "$out/screenshots/$name.failed"
  elif [ ! -s "$shot" ]; then
    echo "browser-check: no screenshot of $page (log $log)" >&2
    touch "$out/screenshots/$name.failed"
  else
    echo "screenshot: $shot"
  fi
}

pages=0
for page in "$r"/*/*.html; do
  pages=$((pages + 1))
  load "$page" &
  # Four browsers at a time: each mostly waits on its own start-up.
  while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n || true; done
done
wait
failed="$(find "$out/screenshots" -name '*.failed' | wc -l)"
if [ "$failed" -gt 0 ]; then
  echo "browser-check: $failed of $pages pages failed" >&2
  exit 1
fi
echo "browser-check: $pages pages loaded with no console errors; screenshots in $out/screenshots"
