#!/usr/bin/env bash
# Which student shapes this CPU runs fast as INT8 (issue 20, item 3): each candidate body is
# built by one training step (speed does not depend on the weights), exported as INT8 the way
# the shipped file is, and timed at 1080p on two threads in one bench run beside the shipped
# student-int8 and the 69787c2 file that issue 15's speed budget names.
# Needs data/pairs-student-128.npz (configs/student-calls.yaml) and the training folders.
# Run from the repository root on an idle machine: bash scripts/student-shapes.sh   (about 6 min)
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
declare -A SHAPES=(
  [separable32x6]="model.blocks=6"
  [separable32x8]="model.blocks=8"
  [separable48x4]="model.channels=48"
  [dense16x4]="model.block=dense model.channels=16"
  [dense24x4]="model.block=dense model.channels=24"
  [dense32x1]="model.block=dense model.blocks=1"
  [dense32x2]="model.block=dense model.blocks=2"
  [mixed32x2]="model.block=mixed model.blocks=2"
)
NAMES="separable32x6 separable32x8 separable48x4 dense16x4 dense24x4 dense32x1 dense32x2 mixed32x2"
mkdir -p runs/shapes
git show 69787c2:weights/student-int8.onnx > runs/shapes/student-int8-69787c2.onnx
FILES=()
for name in $NAMES; do
  SETS=()
  for change in ${SHAPES[$name]}; do SETS+=(--set "$change"); done
  rm -rf "runs/shapes/$name"
  "$B/crispcall" train student --config configs/student-calls.yaml --out "runs/shapes/$name" --steps 1 "${SETS[@]}" \
    > "runs/shapes/$name.log" 2>&1
  "$B/crispcall" export --checkpoint "runs/shapes/$name/student.pt" --out "runs/shapes/$name.onnx" --int8 \
    --calibration ../shared/data/train data/screens
  FILES+=("runs/shapes/$name.onnx")
done
"$B/crispcall" bench --size 1920x1080 --threads 2 --frames 40 \
  --method student student-int8 runs/shapes/student-int8-69787c2.onnx "${FILES[@]}" \
  --json docs/results/bench-student-shapes.json
