#!/usr/bin/env bash
# The browser tests (the audit report, the live console) drive Debian's Chromium through
# playwright-core; a test tool's own browser download cannot work on these machines. This
# installs the distribution package when it is missing, so `npm test` needs nothing else.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
echo "egress-watch: installing Debian's chromium for the browser tests" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 ||
  { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends chromium >/dev/null; }
command -v chromium >/dev/null 2>&1 || { echo "egress-watch: chromium could not be installed (apt-get install chromium)" >&2; exit 1; }
