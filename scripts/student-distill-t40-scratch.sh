#!/usr/bin/env bash
# Session 45 (issue 15: distillation +0.13 dB at `call` over the twin, +0.3 asked). Session 43's
# taught arm learnt 64,000 of its 72,000 steps from session 21's RLFN teacher and only the last
# 8,000 from the shipped one. Here both arms of the ablation start from scratch and run their
# whole length on the shipped teacher's targets (the taught arm) or the ground truth (the twin):
# session 27's body and recipe (configs/student-dense32x5-scratch.yaml), the same pairs, seed and
# steps, in bfloat16 (train.precision: three times as fast on this Xeon's AMX), one thread each.
# Needs session 43's responses (scripts/student-distill-phase.sh t40 names them and makes the
# clean pairs'; scripts/student-s39.sh b7-t40se the others).
#   bash scripts/student-distill-t40-scratch.sh [STEPS]   # both arms (default 72,000 steps), then the first 4
#                                                         # files a set at every preset and every file at call
# In session 45 the taught arm took 34 minutes; the twin, whose SSIM and edge terms cost twice
# its network's step, turned NaN at 8,000 steps (those terms were then computed in bfloat16; now
# in float32), was started again beside it and, when the taught arm ended, resumed on two threads
# (train.threads may change on resume); the eval steps then ran as below.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
STEPS=${1:-72000}
TAG=t40-scratch-$STEPS
OUT=runs/student-distill-$TAG
T40=(data/pairs-teacher-x2-128-t40-responses.npz data/pairs-clean-x2-128-t40-responses.npz
  data/pairs-screens-x2-128-t40se-responses.npz)
for file in "${T40[@]}"; do
  [ -f "$file" ] || { echo "no $file: see this script's header" >&2; exit 2; }
done
train() {  # arm, then the overrides that make it
  local arm=$1
  shift
  "$B/crispcall" train student --config configs/student-dense32x5-scratch.yaml --out $OUT/$arm --steps "$STEPS" \
    --set train.precision=bfloat16 --set train.val_every=8000 "$@" >> "$OUT-$arm.log" 2>&1
}
mkdir -p $OUT
train gt --set distill.response=0 --set distill.responses=null &
GT=$!
train only --set loss.l1=0 --set loss.ssim=0 --set loss.gradient=0 \
  --set "distill.responses=[${T40[0]}, ${T40[1]}, ${T40[2]}]"
wait $GT
bash scripts/distill-arms-eval.sh $OUT $TAG gt only
"$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr \
  --method "$OUT/gt/distill-$TAG-gt.onnx" "$OUT/only/distill-$TAG-only.onnx" \
  --json "docs/results/eval-student-distill-$TAG-every-call.json"
