#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the real-browser test
# (tests/test_browser.py drives it with Playwright; `playwright install` would need
# to download a browser build of its own). Install it with apt-get when we are root,
# otherwise stop and say which command installs it. The test itself skips, with
# this advice, when Chromium is missing.
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Chromium is missing (needed by the browser test): installing chromium with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    [ -x "$CHROMIUM" ] && exit 0
fi
cat >&2 <<MSG
error: Chromium is not installed at $CHROMIUM, and tests/test_browser.py drives it.
Install it, then run make again:
    sudo apt-get install chromium            # Debian, Ubuntu (chromium-browser on older Ubuntu)
(or run the other tests alone: the browser test skips without Chromium)
MSG
exit 1
