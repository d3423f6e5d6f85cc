#!/usr/bin/env bash
# Bodies on the received frame's grid (pixel-unshuffle x2) that might fit issue 15's INT8 budget:
# session 16 found that the unshuffle-x2 student gains 0.35 dB at `call` but runs 2.2x over the
# budget as a separable 32x4 body. Each candidate is built with random weights
# (scripts/student_shapes.py), exported as INT8 the way the shipped file is, and timed at 1080p
# on two threads in one bench run beside the shipped student-int8 and the 69787c2 file.
# Run from the repository root on an idle machine: bash scripts/student-shapes-u2.sh   (about 5 min)
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
SHAPES=(
  u2-separable32x4=unshuffle:2
  u2-separable32x2=unshuffle:2,blocks:2
  u2-separable16x4=unshuffle:2,channels:16
  u2-dense16x1=unshuffle:2,block:dense,channels:16,blocks:1
  u2-dense16x2=unshuffle:2,block:dense,channels:16,blocks:2
  u2-dense32x1=unshuffle:2,block:dense,blocks:1
)
mkdir -p runs/shapes
git show 69787c2:weights/student-int8.onnx > runs/shapes/student-int8-69787c2.onnx
"$B/python" scripts/student_shapes.py runs/shapes "${SHAPES[@]}"
FILES=()
for shape in "${SHAPES[@]}"; do
  name=${shape%%=*}
  "$B/crispcall" export --checkpoint "runs/shapes/$name.pt" --out "runs/shapes/$name.onnx" --int8 \
    --calibration ../shared/data/train data/screens
  FILES+=("runs/shapes/$name.onnx")
done
"$B/crispcall" bench --size 1920x1080 --threads 2 --frames 30 \
  --method student student-int8 runs/shapes/student-int8-69787c2.onnx "${FILES[@]}" \
  --json docs/results/bench-student-shapes-u2.json
