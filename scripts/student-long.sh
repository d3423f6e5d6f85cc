#!/usr/bin/env bash
# Session 12's candidate student (scored below the shipped one, so not shipped: running this
# replaces weights/student*): the separable luma student distilled from the upconv7
# teacher (scripts/teacher-upconv7.sh) with precomputed responses, its ground-truth-only twin
# for the distillation ablation, then its exports, INT8 (QAT) and TFLite files
# (scripts/student-int8.sh). Needs weights/teacher.pt, data/pairs-teacher-128.npz and the
# training folders. Run from the repository root: bash scripts/student-long.sh
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs
[ -f data/pairs-teacher-128-responses.npz ] ||
  "$B/crispcall" train responses --cache data/pairs-teacher-128.npz --out data/pairs-teacher-128-responses.npz
"$B/crispcall" train student --config configs/student-long.yaml --out runs/student-long > runs/student-long.log 2>&1
# (session 12 ran the twin on one thread beside the teacher's fine-tuning)
"$B/crispcall" train student --config configs/student-long.yaml --out runs/student-long-gt \
  --set distill.response=0 --set distill.responses=null --set train.threads=1 --steps 10000 > runs/student-long-gt.log 2>&1
cp runs/student-long/student.pt weights/student.pt
cp runs/student-long-gt/student.pt weights/student-scratch.pt
"$B/crispcall" export --checkpoint weights/student.pt --out weights/student.onnx
"$B/crispcall" export --checkpoint weights/student-scratch.pt --out weights/student-scratch.onnx
bash scripts/student-int8.sh
