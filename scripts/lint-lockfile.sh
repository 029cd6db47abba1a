#!/usr/bin/env bash
# Checks package-lock.json offline: packages come only from the npm registry, over https, each pinned by
# a sha512 integrity hash. (lockfile-lint passes a lockfile it cannot find and one whose entries lack an
# integrity, so both are checked here as well.)
set -euo pipefail
cd "$(dirname "$0")/.."

LOCKFILE=${LOCKFILE:-package-lock.json}
[ -f "$LOCKFILE" ] || { echo "$LOCKFILE is missing" >&2; exit 1; }

npx --no-install lockfile-lint --type npm --path "$LOCKFILE" \
  --allowed-hosts npm --validate-https --validate-integrity --validate-package-names

node -e '
const lock = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const unpinned = Object.entries(lock.packages ?? {})
  .filter(([key, entry]) => key.includes("node_modules/") && !entry.link && !entry.integrity)
  .map(([key]) => key);
if (unpinned.length) {
  console.error(`packages without an integrity hash in ${process.argv[1]}:\n  ${unpinned.join("\n  ")}`);
  process.exit(1);
}
console.log(`${Object.keys(lock.packages).length - 1} packages, every one pinned by its integrity hash`);
' "$LOCKFILE"
