# shellcheck shell=bash
# Shared by scripts/demo, scripts/test and scripts/compose-smoke (sourced, not run).
# Everything here installs only what is missing, so a second run costs a second or two.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$ROOT/.venv"
# The hash of pyproject.toml the venv was last installed from: a changed dependency list (or
# a fresh clone) reinstalls, an unchanged one skips pip entirely.
STAMP="$VENV/.tongxin-pyproject.sha256"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $*"
  fi
}

apt_install() {
  say "installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

pick_python() {
  # Tongxin pins Python 3.11 (pyproject.toml); Debian 12's python3 is 3.11.
  local candidate
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  die "Python 3.11 is required (python3.11 or a python3 that is 3.11); on Debian: apt-get install python3"
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    local py; py=$(pick_python)
    say "creating $VENV with $py"
    if ! "$py" -m venv "$VENV"; then
      # Debian ships venv's pip bootstrap separately.
      rm -rf "$VENV"
      apt_install python3-venv
      "$py" -m venv "$VENV" || die "could not create $VENV"
    fi
  fi
  local want have=""
  want=$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)
  [ -f "$STAMP" ] && have=$(cat "$STAMP")
  # Also reinstall when the editable install points at another checkout (a copied .venv).
  if [ "$want" != "$have" ] || ! "$VENV/bin/python" - "$ROOT" <<'PY' 2>/dev/null
import pathlib, sys
import core, pytest  # noqa: F401
sys.exit(pathlib.Path(core.__file__).resolve().parent.parent != pathlib.Path(sys.argv[1]).resolve())
PY
  then
    say "installing Tongxin and its test tools into $VENV (pip install -e '.[test]')"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]"
    echo "$want" > "$STAMP"
  fi
}

ensure_chromium() {
  # The browser tests drive Debian's chromium (never a downloaded browser build); the CJK
  # fonts make Chinese pages render as text rather than boxes.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
  [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is still missing after apt-get install chromium"
}

check_services() {
  # The production profile's tests need a real PostgreSQL and Redis; say so plainly rather
  # than letting dozens of tests fail one by one.
  "$VENV/bin/python" - <<'PY'
import os, sys
import psycopg, redis
pg = os.environ.get("TONGXIN_TEST_PG", "127.0.0.1:5432")
rd = os.environ.get("TONGXIN_TEST_REDIS", "redis://127.0.0.1:6379")
bad = []
try:
    psycopg.connect(f"postgresql://postgres@{pg}/postgres", connect_timeout=5).close()
except Exception as exc:  # noqa: BLE001
    bad.append(f"PostgreSQL at {pg} (user postgres) is not reachable: {exc}".strip())
try:
    redis.Redis.from_url(rd, socket_connect_timeout=5).ping()
except Exception as exc:  # noqa: BLE001
    bad.append(f"Redis at {rd} is not reachable: {exc}")
if bad:
    print("\n".join(["ERROR: the test services are down."] + bad + [
        "Start them (as root):",
        "  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
        "or run .ci/run, which starts them and then runs scripts/test."]), file=sys.stderr)
    sys.exit(1)
PY
}

ensure_axe() {
  # The browser walks check every page with axe-core (tests/browser/checks.py), pinned in
  # tests/browser/axe/package-lock.json; `npm ci` installs exactly that, and only when missing.
  local dir="$ROOT/tests/browser/axe"
  [ -f "$dir/node_modules/axe-core/axe.min.js" ] && return 0
  command -v npm >/dev/null 2>&1 || apt_install npm
  say "installing axe-core for the browser walks (npm ci in tests/browser/axe)"
  (cd "$dir" && npm ci --no-audit --no-fund --silent) || die "could not install axe-core (npm ci in $dir)"
  [ -f "$dir/node_modules/axe-core/axe.min.js" ] || die "axe-core is still missing after npm ci in $dir"
}
