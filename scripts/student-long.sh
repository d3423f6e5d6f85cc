#!/usr/bin/env bash
# The shipped student (session 4 on): the student-cpu recipe run 8x longer (16,000 steps,
# batch 16) with the teacher's outputs precomputed once, then its exports, INT8 (QAT) and
# TFLite files (scripts/student-int8.sh), the classic x2 scores and its temporal stability.
# Needs weights/teacher.pt, the pair cache data/pairs-call-128.npz (configs/teacher-cpu-stage2.yaml)
# and the training folders. Run from the repository root: bash scripts/student-long.sh
# (about 25 min of training and 45 min of scoring on 2 cores).
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs
[ -f data/pairs-call-128-teacher.npz ] ||
  "$B/crispcall" train responses --cache data/pairs-call-128.npz --out data/pairs-call-128-teacher.npz
"$B/crispcall" train student --config configs/student-long.yaml --out runs/student-long > runs/student-long.log 2>&1
cp runs/student-long/student.pt weights/student.pt
"$B/crispcall" export --checkpoint weights/student.pt --out weights/student.onnx
bash scripts/student-int8.sh
"$B/crispcall" eval --suite classic --preset x2 --no-ocr --method student student-int8 \
  --json docs/results/eval-student-classic.json
"$B/crispcall" flicker --preset call --method input unsharp student student+temporal --frames 90 \
  --json docs/results/flicker-call.json
