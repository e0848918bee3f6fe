# Sourced by the other scripts: make sure .venv exists and holds the pinned requirements.
# Usage: . scripts/venv.sh requirements.txt
set -euo pipefail
requirements="${1:-requirements.txt}"
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv"
  "${PYTHON:-python3}" -m venv .venv
fi
stamp=".venv/.installed-$(basename "$requirements")"
# Reinstall only when a requirements file changed since the last install.
if [ ! -f "$stamp" ] || [ "$requirements" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  echo "Installing $requirements"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi
