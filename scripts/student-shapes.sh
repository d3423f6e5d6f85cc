#!/usr/bin/env bash
# Which student shapes this CPU runs fast as INT8 (issue 20, item 3): each candidate body, with
# random weights (scripts/student_shapes.py: speed does not depend on the weights), exported as
# INT8 the way the shipped file is, with its luma twin beside it (what the runtime runs since
# session 18), and timed at 1080p on two threads in one bench run beside the shipped
# student-int8 and the 69787c2 file that issue 15's speed budget names.
# Run from the repository root on an idle machine (about 5 min):
#   bash scripts/student-shapes.sh                        # session 15's shapes
#   bash scripts/student-shapes.sh OUT.json NAME=KEY:VALUE,KEY:VALUE ...   # any others
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
source scripts/export-student.sh
FRAMES=${FRAMES:-40}  # frames timed per shape (session 16 ran 30)
OUT=docs/results/bench-student-shapes.json
SHAPES=(
  separable32x6=blocks:6
  separable32x8=blocks:8
  separable48x4=channels:48
  dense16x4=block:dense,channels:16
  dense24x4=block:dense,channels:24
  dense32x1=block:dense,blocks:1
  dense32x2=block:dense,blocks:2
  mixed32x2=block:mixed,blocks:2
)
if [ $# -gt 0 ]; then
  OUT=$1
  shift
  SHAPES=("$@")
fi
mkdir -p runs/shapes
budget_file
"$B/python" scripts/student_shapes.py runs/shapes "${SHAPES[@]}"
FILES=()
for shape in "${SHAPES[@]}"; do
  name=${shape%%=*}
  for graph in "" -luma; do
    "$B/crispcall" export --checkpoint "runs/shapes/$name.pt" --out "runs/shapes/$name$graph.onnx" \
      ${graph:+--luma} --int8 --calibration ../shared/data/train data/screens
  done
  FILES+=("runs/shapes/$name.onnx")
done
"$B/crispcall" bench --size 1920x1080 --threads 2 --frames "$FRAMES" \
  --method student student-int8 "$BUDGET" "${FILES[@]}" --json "$OUT"
