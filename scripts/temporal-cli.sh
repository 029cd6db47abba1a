#!/usr/bin/env bash
# Prints the path of a usable `temporal` CLI binary, building it once into a cache outside the repo
# when none is available. Progress goes to stderr; only the path goes to stdout.
set -euo pipefail

VERSION="v1.5.1" # the newest tag that `go install` accepts (later ones carry a replace directive)

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  if [ -x "$TEMPORAL_CLI_PATH" ]; then echo "$TEMPORAL_CLI_PATH"; exit 0; fi
  echo "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file" >&2
  exit 1
fi

if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi

CACHE_DIR="${KASPI_DEMPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaspi-demper}"
TARGET="$CACHE_DIR/temporal-$VERSION/temporal"
if [ -x "$TARGET" ]; then echo "$TARGET"; exit 0; fi

GO_BIN="$(command -v go || true)"
[ -z "$GO_BIN" ] && [ -x /usr/local/go/bin/go ] && GO_BIN=/usr/local/go/bin/go
if [ -z "$GO_BIN" ]; then
  echo "No Temporal CLI found and no Go toolchain to build it: install Go >= 1.25, put 'temporal' on PATH, or set TEMPORAL_CLI_PATH." >&2
  exit 1
fi

mkdir -p "$CACHE_DIR"
# Several processes (test workers, a second `npm start`) may ask at once: one builds, the rest wait.
exec 9>"$CACHE_DIR/temporal-build.lock"
flock 9
if [ ! -x "$TARGET" ]; then
  echo "Building the Temporal CLI $VERSION with $("$GO_BIN" version | cut -d' ' -f3) into $CACHE_DIR (one time, a few minutes)..." >&2
  STAGE="$CACHE_DIR/temporal-$VERSION.partial"
  rm -rf "$STAGE"
  mkdir -p "$STAGE"
  GOBIN="$STAGE" GOPATH="$CACHE_DIR/gopath" GOFLAGS="-modcacherw" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
    "$GO_BIN" install -v "github.com/temporalio/cli/cmd/temporal@$VERSION" 2>&1 |
    awk '{ n++; if (n % 25 == 0) { printf "  ... %d packages built (%s)\n", n, $0; fflush() } } END { printf "  %d packages built\n", n }' >&2
  [ -x "$STAGE/temporal" ] || { echo "Temporal CLI build failed" >&2; exit 1; }
  mkdir -p "$(dirname "$TARGET")"
  mv "$STAGE/temporal" "$TARGET"
  rm -rf "$STAGE"
  echo "Temporal CLI ready: $TARGET" >&2
fi
echo "$TARGET"
