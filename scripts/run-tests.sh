#!/usr/bin/env bash
# Every test: unit and conformance (pytest), the real lab (pytest -m reallab, same run), and nbval over
# the committed notebooks. Called by ./kvmlab.sh test after set-up; CI calls that.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p artifacts
py=.venv/bin/python
status=0

echo "== pytest: library, virsh conformance, real lab"
timeout --kill-after=30 60m "$py" -m pytest -p no:cacheprovider --timeout=900 -ra --durations=40 tests "$@" || status=$?

mapfile -t nbs < <(find notebooks exercises -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null | sort)
if [ ${#nbs[@]} -gt 0 ]; then
  echo "== nbval: ${#nbs[@]} notebooks"
  args=(--nbval -p no:cacheprovider --timeout=600)
  [ -f notebooks/sanitize.cfg ] && args+=(--nbval-sanitize-with notebooks/sanitize.cfg)
  timeout --kill-after=30 20m "$py" -m pytest "${args[@]}" "${nbs[@]}" || { s=$?; [ $status -eq 0 ] && status=$s; }
fi
exit $status
