#!/usr/bin/env bash
# Installs the Python module (`import mergeflow`) on Debian 12: Debian's
# pandas and the build's dependencies (scripts/setup.sh), then the package
# into the site-packages of PYTHON (default: the system's /usr/bin/python3;
# give a venv's python, made with --system-site-packages, to install there).
#   scripts/install-python.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-/usr/bin/python3}
if ! dpkg-query -W -f='${Status}' python3-pandas 2> /dev/null | grep -q "install ok installed"; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-pandas > /dev/null
fi
scripts/setup.sh
[[ -f build/python/mergeflow/__init__.py ]] || { echo "mergeflow: the Python module was not built (pybind11-dev?)" >&2; exit 1; }
site=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
mkdir -p "$site"
rm -rf "$site/mergeflow"
cp -r build/python/mergeflow "$site/mergeflow"
"$python" -c 'import mergeflow; print("mergeflow", mergeflow.__version__, "installed in", mergeflow.__path__[0])'
