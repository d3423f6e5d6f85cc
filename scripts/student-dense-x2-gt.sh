#!/usr/bin/env bash
# Issue 15's distillation figure for the dense student (session 18): the ground-truth-only twin of
# scripts/student-dense-x2.sh (same body, pairs, seed and 7,000 steps; no teacher term), then both
# FP32 networks on the first 4 files of each set, the distilled one's run being
# docs/results/eval-student-dense32x4-limit4.json (same files and protocol, merged by crispcall table).
# About 50 minutes of training on two threads (resumes from its checkpoint), 3 of evaluation.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
OUT=runs/student-dense32x4-gt
"$B/crispcall" train student --config configs/student-x2.yaml --out $OUT --set model.block=dense \
  --set train.steps=7000 --set train.threads=2 --set distill.teacher=weights/teacher.pt \
  --set distill.response=0 --set distill.responses=null
"$B/crispcall" export --checkpoint $OUT/student.pt --out $OUT/student-dense32x4-gt.onnx
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method $OUT/student-dense32x4-gt.onnx \
  --threads 2 --limit 4 --no-ocr --json docs/results/eval-student-dense32x4-gt-limit4.json
"$B/crispcall" table docs/results/eval-student-dense32x4-limit4.json \
  docs/results/eval-student-dense32x4-gt-limit4.json --against student-dense32x4-gt
