#!/usr/bin/env bash
# Issue 15's distillation figure with the x2 teacher: the shipped architecture distilled from
# it (configs/student-x2.yaml) and its ground-truth-only twin, same data, steps and seed, run
# side by side on one thread each, then both scored on the first 4 files of each set.
# Needs data/pairs-teacher-x2-128.npz and its responses (scripts/teacher-upconv7-x2.sh).
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
STEPS=${STEPS:-6000}
COMMON=(--set train.steps=$STEPS --set train.val_every=2000 --set train.threads=1 --set distill.teacher=weights/teacher.pt)
"$B/crispcall" train student --config configs/student-x2.yaml --out runs/student-x2 "${COMMON[@]}" \
  > runs/student-x2.log 2>&1 &
"$B/crispcall" train student --config configs/student-x2.yaml --out runs/student-x2-gt "${COMMON[@]}" \
  --set distill.response=0 --set distill.responses=null > runs/student-x2-gt.log 2>&1 &
wait
for run in student-x2 student-x2-gt; do
  "$B/crispcall" export --checkpoint runs/$run/student.pt --out runs/$run/$run.onnx
done
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method runs/student-x2/student-x2.onnx \
  runs/student-x2-gt/student-x2-gt.onnx student imdn-rte --threads 2 --limit 4 --no-ocr \
  --json docs/results/eval-student-x2-ablation-limit4.json
