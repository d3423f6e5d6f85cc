#!/usr/bin/env bash
# The distillation ablation's last step, shared by scripts/student-distill-{b5,long,phase}.sh:
# export each arm's final weights (OUT/ARM/student.pt) as OUT/ARM/distill-TAG-ARM.onnx and score
# them all on the first 4 files of each set of the `call` suite into
# docs/results/eval-student-distill-TAG-limit4.json.
#   bash scripts/distill-arms-eval.sh OUT TAG ARM...
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
OUT=$1
TAG=$2
shift 2
METHODS=()
for arm in "$@"; do
  "$B/crispcall" export --checkpoint "$OUT/$arm/student.pt" --out "$OUT/$arm/distill-$TAG-$arm.onnx"
  METHODS+=("$OUT/$arm/distill-$TAG-$arm.onnx")
done
"$B/crispcall" eval --suite call --preset x2 call poor lossy --threads 2 --limit 4 --no-ocr \
  --method "${METHODS[@]}" --json "docs/results/eval-student-distill-$TAG-limit4.json"
