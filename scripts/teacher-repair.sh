#!/usr/bin/env bash
# Session 29: the concealment repair in front of the x2 teacher (configs/repair.yaml,
# docs/models/teacher.md "Session 29"): trained alone on the received patches of the teacher's
# pairs, joined to the shipped teacher, exported, and scored on the first 4 files of each set, then
# every file, at x2 / call / lossy (the presets an x2 call meets; poor is the x3 twin's).
# Needs data/pairs-teacher-x2-128.npz and data/pairs-clean-x2-128.npz (docs/models/teacher.md).
# About 25 minutes of training and 45 of eval on two threads.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs/s29
"$B/crispcall" train repair --config configs/repair.yaml --out runs/repair >> runs/s29/repair-train.log 2>&1
"$B/crispcall" train add-repair --weights weights/teacher.pt --repair runs/repair/repair.pt --out runs/s29/teacher-repaired.pt
"$B/crispcall" export --checkpoint runs/s29/teacher-repaired.pt --out runs/s29/teacher-repaired.onnx
"$B/crispcall" eval --suite call --preset x2 call lossy --method runs/s29/teacher-repaired.onnx --threads 2 --limit 4 \
  --no-ocr --json docs/results/eval-teacher-repaired-limit4.json
"$B/crispcall" eval --suite call --preset x2 call lossy --method runs/s29/teacher-repaired.onnx --threads 2 \
  --json docs/results/eval-teacher-repaired.json
