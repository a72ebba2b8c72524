#!/usr/bin/env bash
# Installs and caches the real servers Ballotflow runs on, so a bare machine (or CI) needs nothing by hand:
#  - the Temporal CLI (dev server + web UI), built with `go install` because no binary download is reachable;
#  - Temporal's time-skipping test server, resolved from Maven Central, wrapped by scripts/temporal-test-server.
# Everything lands in $BALLOTFLOW_CACHE (default ~/.cache/ballotflow) and is reused on the next run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${BALLOTFLOW_CACHE:-$HOME/.cache/ballotflow}"
mkdir -p "$cache/bin"

# v1.5.1: later tags carry a replace directive that `go install` refuses.
TEMPORAL_CLI_VERSION=v1.5.1

if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then
  echo "setup: temporal CLI from TEMPORAL_CLI=$TEMPORAL_CLI"
elif command -v temporal >/dev/null 2>&1; then
  echo "setup: temporal CLI on PATH: $(command -v temporal)"
elif [ -x "$cache/bin/temporal" ]; then
  echo "setup: temporal CLI cached: $cache/bin/temporal"
else
  command -v go >/dev/null 2>&1 || { echo "setup: Go is needed to build the Temporal CLI (apt-get install golang-go)" >&2; exit 1; }
  echo "setup: building the Temporal CLI $TEMPORAL_CLI_VERSION with go install (a few minutes, once)..."
  (cd /tmp && GOBIN="$cache/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION")
  echo "setup: temporal CLI built: $cache/bin/temporal"
fi

cp_file="$cache/temporal-test-server.classpath"
pom="$here/test-server/pom.xml"
stamp="$(sha1sum "$pom" | cut -c1-12)"
if [ -s "$cp_file" ] && [ "$(cat "$cp_file.stamp" 2>/dev/null)" = "$stamp" ] && \
   tr ':' '\n' < "$cp_file" | while read -r jar; do [ -f "$jar" ] || exit 1; done; then
  echo "setup: time-skipping test server cached ($(tr ':' '\n' < "$cp_file" | wc -l) jars)"
else
  command -v mvn >/dev/null 2>&1 || { echo "setup: Maven is needed for the time-skipping test server (apt-get install maven)" >&2; exit 1; }
  command -v java >/dev/null 2>&1 || { echo "setup: Java 11+ is needed for the time-skipping test server" >&2; exit 1; }
  echo "setup: resolving io.temporal:temporal-test-server from Maven Central..."
  mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$cp_file.tmp" -Dmdep.includeScope=runtime
  # Our pom depends on the test server, so its own jar is part of the classpath.
  grep -q 'temporal-test-server-[0-9.]*\.jar' "$cp_file.tmp" || { echo "setup: test server jar missing from classpath" >&2; exit 1; }
  mv "$cp_file.tmp" "$cp_file"
  echo "$stamp" > "$cp_file.stamp"
  echo "setup: time-skipping test server ready ($(tr ':' '\n' < "$cp_file" | wc -l) jars)"
fi

# The portal tests drive Debian's Chromium with playwright-core (`npm test` asks for it with --browser).
if [ "${1:-}" = "--browser" ]; then
  chromium_bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ -x "$chromium_bin" ]; then
    echo "setup: chromium for the browser tests: $chromium_bin"
  elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser tests (once)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    echo "setup: chromium installed: $(command -v chromium)"
  else
    echo "setup: the browser tests need Chromium: sudo apt-get install chromium (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
fi
