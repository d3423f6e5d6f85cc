#!/usr/bin/env bash
# Session 39 (issue 15: student-int8 is 0.08 dB under IMDN-RTE at `call` on every file).
# 1. Session 38's wider body (configs/student-u8x64.yaml: unshuffle 8, 64 channels, the shipped
#    student's MACs per block), scored mid-run; it was stopped there (docs/models/student.md):
#   bash scripts/student-s39.sh u8x64-score STEP  # the run's checkpoint (EMA weights) as FP32, first 4
#                                                 # files a set at x2 and call (pause the training first)
# 2. The shipped student grown by one and by two mixed blocks that start as the identity
#    (scripts/grow_student.py), the speed budget leaving room for them:
#   bash scripts/student-s39.sh grow    # both arms side by side (one thread each), 4,000 steps of the
#                                       # shipped recipe (session 37's), then the shipped QAT recipe
#   bash scripts/student-s39.sh eval    # every export, then the first 4 files a set beside the shipped files
#   bash scripts/student-s39.sh bench   # INT8 at 1080p on two threads beside the shipped file and the
#                                       # 69787c2 budget file, twice in reversed order (idle machine)
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
R=runs/s39
ARMS=(b6 b7)
source scripts/export-student.sh
grown() {  # arm name, blocks
  local name=$1 blocks=$2
  "$B/python" scripts/grow_student.py weights/student.pt $R/$name-init.pt "$blocks"
  "$B/crispcall" train student --config configs/student-dense32x5-t64-screens.yaml --out $R/$name --steps 4000 \
    --set model.block=mixed --set model.tail_kernel=1 --set model.blocks="$blocks" --set train.init=$R/$name-init.pt \
    --set train.warmup_steps=200 --set train.seed=9 --set train.threads=1 > $R/$name.log 2>&1
  "$B/crispcall" train student --config configs/student-t64-qat.yaml --out $R/$name-qat \
    --set train.init=$R/$name/student.pt --set train.threads=1 > $R/$name-qat.log 2>&1
}
case ${1:-} in
  u8x64-score)
    step=${2:?the checkpoint\'s step, as 28000}
    U=runs/student-u8x64
    "$B/crispcall" train checkpoint-weights --checkpoint $U/checkpoint.pt --out $U/ema-$step.pt
    "$B/crispcall" export --checkpoint $U/ema-$step.pt --out $U/u8x64-$step.onnx
    "$B/crispcall" eval --suite call --preset x2 call --limit 4 --threads 2 --no-ocr \
      --method $U/u8x64-$step.onnx --json docs/results/eval-student-s39-u8x64-$step-limit4.json ;;
  grow)
    mkdir -p $R
    grown b6 6 &
    b6=$!
    grown b7 7
    wait $b6 ;;
  eval)
    methods=()
    for arm in "${ARMS[@]}"; do
      export_student $R/$arm $arm
      methods+=($R/$arm/$arm.onnx $R/$arm/$arm-int8.onnx)
    done
    "$B/crispcall" eval --suite call --preset x2 call poor lossy --limit 4 --threads 2 --no-ocr \
      --method student student-int8 "${methods[@]}" imdn-rte --json docs/results/eval-student-s39-limit4.json ;;
  bench)
    mkdir -p runs/shapes
    git show 69787c2:weights/student-int8.onnx > runs/shapes/student-int8-69787c2.onnx
    files=(runs/shapes/student-int8-69787c2.onnx student-int8)
    for arm in "${ARMS[@]}"; do files+=($R/$arm/$arm-int8.onnx); done
    "$B/crispcall" bench --size 1920x1080 --threads 2 --frames 30 --method "${files[@]}" \
      --json docs/results/bench-s39-1080p-2threads.json
    reversed=()
    for ((i = ${#files[@]} - 1; i >= 0; i--)); do reversed+=("${files[i]}"); done
    "$B/crispcall" bench --size 1920x1080 --threads 2 --frames 30 --method "${reversed[@]}" \
      --json docs/results/bench-s39-1080p-2threads-reversed.json ;;
  *) echo "usage: $0 u8x64-score STEP|grow|eval|bench" >&2; exit 2 ;;
esac
