#!/usr/bin/env bash
# Set up a fresh machine for DLM: the Python packages for the framework, the blog and the tests,
# PyTorch (a test-only oracle, CPU build) and Chromium for the browser tests.
#
#   bash scripts/setup.sh            # everything
#   bash scripts/setup.sh --site     # only what building the blog needs
set -euo pipefail
cd "$(dirname "$0")/.."

# Node.js and npm: the build renders maths with KaTeX, installed from the npm registry into
# .cache/katex (never committed). Needs root for apt; skipped with a note otherwise.
install_katex() {
    if ! command -v npm >/dev/null 2>&1; then
        if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
        else
            echo "setup: install Node.js and npm (Debian: 'sudo apt-get install nodejs npm') to build the blog" >&2
            return 0
        fi
    fi
    python -c "from dlm_site.maths import ensure_katex; ensure_katex()"
}

if [[ "${1:-}" == "--site" ]]; then
    python -m pip install -e '.[site]'
    install_katex
    exit 0
fi

python -m pip install -e '.[test]'
# torch==2.13.0 is the CPU build that lies on local disk here; never let pip pick a newer one.
python -m pip install 'torch==2.13.0'
install_katex

# Chromium for the browser tests, from Debian's packages (Playwright's own browser download does
# not work offline). Needs root; skipped with a note otherwise.
if ! command -v chromium >/dev/null 2>&1; then
    if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "setup: install Chromium (Debian: 'sudo apt-get install chromium') for the browser tests" >&2
    fi
fi
