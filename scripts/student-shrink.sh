#!/usr/bin/env bash
# Session 35: a smaller student body for CPUs without AMX (issue 15's speed budget). The shipped
# five-block body (15.1 GMAC a 1080p frame) takes 1.25-1.5x the 69787c2 budget file's time at
# 1080p on two threads of an AMD EPYC with AVX-512 VNNI only (docs/results/bench-s34-*.json); the
# shapes that time under it there are about half its MACs (docs/results/bench-s35-shapes*.json,
# scripts/student-shapes.sh). Two of them start from the shipped weights (`crispcall prune`: kept
# layers, least-squares fits for the shrunk ones) and are fine-tuned on the shipped student's
# pairs, losses and teacher targets, side by side on one thread each:
#   mixed32x5t1  five blocks of a 3x3 then a 1x1 convolution, a 1x1 tail   (7.6 GMAC)
#   dense32x3t1  the first three dense blocks, a 1x1 tail                  (8.2 GMAC)
# then both on the first 4 files of each set of the call suite. About 40 minutes on two cores.
#   bash scripts/student-shrink.sh [STEPS]
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
STEPS=${1:-10000}
OUT=runs/student-shrink
mkdir -p $OUT
arm() {  # name, blocks, block kind
  local name=$1 blocks=$2 block=$3
  [ -f $OUT/$name-init.pt ] || "$B/crispcall" prune --checkpoint weights/student.pt --out $OUT/$name-init.pt \
    --blocks "$blocks" --block "$block" --tail-kernel 1
  "$B/crispcall" train student --config configs/student-dense32x5-t64-screens.yaml --out $OUT/$name --steps "$STEPS" \
    --set model.blocks="$blocks" --set model.block="$block" --set model.tail_kernel=1 \
    --set train.init=$OUT/$name-init.pt --set train.threads=1 --set train.warmup_steps=200 >> $OUT/$name.log 2>&1
  "$B/crispcall" export --checkpoint $OUT/$name/student.pt --out $OUT/$name/shrink-$name.onnx >> $OUT/$name.log 2>&1
}
arm mixed32x5t1 5 mixed &
MIXED=$!
arm dense32x3t1 3 dense
wait $MIXED
"$B/crispcall" eval --suite call --preset x2 call poor lossy --limit 4 --threads 2 --no-ocr --method student \
  $OUT/mixed32x5t1/shrink-mixed32x5t1.onnx $OUT/dense32x3t1/shrink-dense32x3t1.onnx --json docs/results/eval-student-shrink-limit4.json
