# Sourced by portal/bin/demo and portal/bin/test: installs what the portal needs on a fresh
# Debian/Ubuntu machine (system packages with apt-get, Python packages from the hashed lock file
# into .venv). Idempotent and quick when nothing changed.
set -euo pipefail

PORTAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${PORTAL_VENV:-$PORTAL_ROOT/.venv}"
LOCK="$PORTAL_ROOT/requirements.lock"

# WeasyPrint (PDF rendering) needs pango/harfbuzz and fonts; gettext compiles translations; pysaml2
# (eIDAS sign-in) signs, verifies and decrypts with the xmlsec1 program.
RUNTIME_APT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core
  fonts-liberation shared-mime-info gettext xmlsec1)
# The browser tests drive Debian's chromium; pdftoppm/pdfsig check rendered and signed PDFs.
TEST_APT_PACKAGES=(chromium poppler-utils)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if ! command -v apt-get >/dev/null; then
    say "Please install these system packages (no apt-get here): ${missing[*]}"
    return 1
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_python() {
  local candidate
  for candidate in "${PORTAL_PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

bootstrap_python() {
  local python
  if ! python="$(find_python)"; then
    apt_install_missing python3.11 python3.11-venv
    python="$(find_python)" || { say "Python 3.11 is required (set PORTAL_PYTHON to its path)."; return 1; }
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then apt_install_missing python3.11-venv; fi
    say "Creating the virtual environment in $VENV"
    "$python" -m venv "$VENV"
  fi
  local wanted installed=""
  wanted="$(sha256sum "$LOCK" | cut -d' ' -f1)"
  [ -f "$VENV/.lock-sha256" ] && installed="$(cat "$VENV/.lock-sha256")"
  if [ "$wanted" != "$installed" ]; then
    say "Installing Python packages from requirements.lock"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$LOCK"
    echo "$wanted" > "$VENV/.lock-sha256"
  fi
  export PATH="$VENV/bin:$PATH"
  cd "$PORTAL_ROOT"
}
