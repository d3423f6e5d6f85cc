#!/usr/bin/env bash
# The shipped students beside the ones they replace (weights/*.onnx at commit 69787c2) and the
# teacher, timed in one crispcall bench run: 1920x1080, 2 threads, the full frame path.
# Run from the repository root on an idle machine: bash scripts/bench-student.sh
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs/old
git show 69787c2:weights/student-int8.onnx > runs/old/student-int8-69787c2.onnx
git show 69787c2:weights/student.onnx > runs/old/student-69787c2.onnx
"$B/crispcall" bench --size 1920x1080 --threads 2 --method student-int8 runs/old/student-int8-69787c2.onnx \
  student runs/old/student-69787c2.onnx imdn-rte teacher --json docs/results/bench-student-upconv7.json
