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
# then both on the first 4 files of each set of the call suite (about 40 minutes on two cores):
#   bash scripts/student-shrink.sh [STEPS]
# and the phases after it:
#   bash scripts/student-shrink.sh long NAME [STEPS]  # NAME's weights trained on at the full rate again, to
#                                                     # runs/student-shrink/NAME-long (20,000 steps: 35 minutes)
#   bash scripts/student-shrink.sh int8 NAME          # NAME's QAT (the shipped recipe) and every export beside it
#   bash scripts/student-shrink.sh ship NAME          # those files as weights/student*.{pt,onnx}, and the TFLite twins
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
OUT=runs/student-shrink
ARMS=(mixed32x5t1 dense32x3t1)
declare -A SHAPE=([mixed32x5t1]="5 mixed" [dense32x3t1]="3 dense")
train() {  # run folder, starting weights, shape (blocks, block kind), steps, threads, then more overrides
  local run=$1 init=$2 blocks=$3 block=$4 steps=$5 threads=$6
  shift 6
  "$B/crispcall" train student --config configs/student-dense32x5-t64-screens.yaml --out "$run" --steps "$steps" \
    --set model.blocks="$blocks" --set model.block="$block" --set model.tail_kernel=1 \
    --set train.init="$init" --set train.threads="$threads" --set train.warmup_steps=200 "$@" >> "$run.log" 2>&1
}
name=${2:-}
source scripts/export-student.sh
case ${1:-} in
  long)
    train $OUT/$name-long $OUT/$name/student.pt ${SHAPE[$name]} "${3:-20000}" 2 --set train.seed=4
    exit 0 ;;
  int8)
    "$B/crispcall" train student --config configs/student-t64-qat.yaml --out $OUT/$name-qat \
      --set train.init=$OUT/$name/student.pt >> $OUT/$name-qat.log 2>&1
    export_student $OUT/$name shrink-$name
    exit 0 ;;
  ship)
    ship_student $OUT/$name shrink-$name
    exit 0 ;;
esac
STEPS=${1:-10000}
mkdir -p $OUT
arm() {
  local name=$1 shape
  read -ra shape <<< "${SHAPE[$name]}"
  [ -f $OUT/$name-init.pt ] || "$B/crispcall" prune --checkpoint weights/student.pt --out $OUT/$name-init.pt \
    --blocks "${shape[0]}" --block "${shape[1]}" --tail-kernel 1
  train $OUT/$name $OUT/$name-init.pt "${shape[@]}" "$STEPS" 1
  "$B/crispcall" export --checkpoint $OUT/$name/student.pt --out $OUT/$name/shrink-$name.onnx >> $OUT/$name.log 2>&1
}
arm "${ARMS[0]}" &
FIRST=$!
arm "${ARMS[1]}"
wait $FIRST
METHODS=()
for name in "${ARMS[@]}"; do METHODS+=("$OUT/$name/shrink-$name.onnx"); done
"$B/crispcall" eval --suite call --preset x2 call poor lossy --limit 4 --threads 2 --no-ocr --method student \
  "${METHODS[@]}" --json docs/results/eval-student-shrink-limit4.json
