#!/usr/bin/env bash
# Session 31: does the distillation gain grow with training length? Session 27's `gt` and `only`
# arms (scripts/student-distill-b5.sh: same body, pairs, responses and seed) at twice the steps,
# 16,000, side by side on one thread each, then both on the first 4 files of each set. Needs that
# script's caches and responses. About 50 minutes on two cores.
# Session 32: `bash scripts/student-distill-long.sh 40000` resumes both arms from their 16,000-step
# checkpoints (docs/models/student-s31/long-*-resume/: copy each to runs/student-distill-long/ARM/)
# with the cosine schedule stretched to 40,000 steps, a warm restart alike in both arms (about 70
# minutes), and writes eval-student-distill-long-40000-limit4.json.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
STEPS=${1:-16000}
TAG=long   # session 31's names for its 16,000 steps, the step count in them for any other length
[ "$STEPS" = 16000 ] || TAG=long-$STEPS
OUT=runs/student-distill-long
train() {  # arm, then the overrides that make it
  local arm=$1
  shift
  "$B/crispcall" train student --config configs/student-dense32x5-scratch.yaml --out $OUT/$arm --steps "$STEPS" "$@" \
    >> "$OUT-$arm.log" 2>&1
}
mkdir -p $OUT
train gt --set distill.response=0 --set distill.responses=null &
GT=$!
train only --set loss.l1=0 --set loss.ssim=0 --set loss.gradient=0
wait $GT
bash scripts/distill-arms-eval.sh $OUT $TAG gt only
