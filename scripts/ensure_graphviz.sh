#!/usr/bin/env bash
# Make sure Graphviz's `dot` is on PATH: install it with apt-get when we are root,
# otherwise stop and say which command installs it.
set -euo pipefail
command -v dot >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Graphviz's dot is missing: installing graphviz with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
    command -v dot >/dev/null 2>&1 && exit 0
fi
cat >&2 <<'MSG'
error: Graphviz's `dot` program is not installed, and the course draws its graphs with it.
Install it, then run make again:
    sudo apt-get install graphviz            # Debian, Ubuntu
    conda install -c conda-forge graphviz    # conda (see environment.yml)
    brew install graphviz                    # macOS
MSG
exit 1
