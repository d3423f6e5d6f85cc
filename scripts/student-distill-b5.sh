#!/usr/bin/env bash
# Session 27's distillation ablation on the shipped body (configs/student-dense32x5-scratch.yaml),
# four arms from scratch with the same pairs, seed and steps:
#   gt        ground truth only (no teacher term): the twin the other arms are compared with
#   response  the shipped recipe: ground-truth loss plus L1 to the teacher's output
#   structure the shipped recipe plus the structure term (0.1) against the teacher's output
#   only      the teacher's output as the only target (no ground-truth loss)
# the first three side by side on one thread each, then the fourth on two (an arm with the
# teacher's responses holds about 7.5 GB: four at once ran out of 23 GB), then each FP32 network
# on the first 4 files of each set. Needs the pair caches and responses of docs/models/student.md
# (session 26) and runs/s23/teacher-s21.pt. About 75 minutes on two cores; the training runs
# resume from their checkpoints.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
CONFIG=configs/student-dense32x5-scratch.yaml
OUT=runs/student-distill-b5
declare -A ARMS=(
  [gt]="--set distill.response=0 --set distill.responses=null"
  [response]=""
  [structure]="--set distill.structure=0.1"
  [only]="--set loss.l1=0 --set loss.ssim=0 --set loss.gradient=0 --set train.threads=2"
)
train() {
  # shellcheck disable=SC2086
  "$B/crispcall" train student --config $CONFIG --out $OUT/$1 ${ARMS[$1]} > "$OUT-$1.log" 2>&1
}
mkdir -p $OUT
PIDS=()
for arm in gt response structure; do
  train $arm &
  PIDS+=($!)
done
for pid in "${PIDS[@]}"; do wait "$pid"; done
train only
bash scripts/distill-arms-eval.sh $OUT b5 gt response structure only
