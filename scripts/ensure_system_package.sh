#!/usr/bin/env bash
# ensure_system_package.sh PROGRAM PACKAGE required|optional "WHAT IT IS FOR" [OTHER INSTALL COMMAND ...]
#
# Make sure PROGRAM (a name on PATH, or an absolute path) is there. When it is not
# and we are root on a Debian-like system, install PACKAGE with apt-get. Otherwise
# print the commands that install it; stop make when the package is required,
# carry on (the parts that need it skip and say why) when it is optional.
set -euo pipefail
program=$1 package=$2 need=$3 purpose=$4
shift 4

present() { if [[ $program == /* ]]; then [ -x "$program" ]; else command -v "$program" >/dev/null 2>&1; fi; }

present && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> $program is missing ($purpose): installing $package with apt-get"
    # the package lists may be missing on a fresh machine: refresh them only then
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
    fi
    present && exit 0
fi
{
    echo "$([ "$need" = required ] && echo error || echo warning): $program is not installed; $purpose."
    echo "Install it, then run make again:"
    echo "    sudo apt-get install $package"
    for other in "$@"; do echo "    $other"; done
} >&2
[ "$need" = required ] && exit 1
exit 0
