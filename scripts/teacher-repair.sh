#!/usr/bin/env bash
# Session 29: the concealment repair in front of the x2 teacher (docs/models/teacher.md, "Session
# 29"): trained alone on the received patches of the teacher's pairs (configs/repair.yaml, then
# configs/repair-calibrated.yaml with losses as rare as a call's and the screen pairs), joined to
# session 23's teacher, exported, scored on the first 4 files of each set and then every file at
# x2 / call / lossy (the presets an x2 call meets; `poor` runs the x3 twin, which has no repair).
# Needs data/pairs-teacher-x2-128.npz, data/pairs-clean-x2-128.npz and data/pairs-screens-x2-128.npz
# (docs/models/teacher.md, docs/models/student.md). About 35 minutes of training and 60 of eval
# on two threads.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs/s29
git show 7753bf5:weights/teacher.pt > runs/s29/teacher-s23.pt   # session 23's teacher, shipped until now
"$B/crispcall" train repair --config configs/repair.yaml --out runs/repair
"$B/crispcall" train repair --config configs/repair-calibrated.yaml --out runs/repair-calibrated
python scripts/concealment_probe.py runs/repair/repair.pt runs/repair-calibrated/repair.pt
"$B/crispcall" train add-repair --weights runs/s29/teacher-s23.pt --repair runs/repair-calibrated/repair.pt \
  --out runs/s29/teacher-repaired.pt
"$B/crispcall" export --checkpoint runs/s29/teacher-repaired.pt --out runs/s29/teacher-repaired.onnx
"$B/crispcall" eval --suite call --preset x2 call lossy --method runs/s29/teacher-repaired.onnx --threads 2 --limit 4 \
  --no-ocr --json docs/results/eval-teacher-repaired-limit4.json
cp runs/s29/teacher-repaired.pt weights/teacher.pt
cp runs/s29/teacher-repaired.onnx weights/teacher.onnx
for preset in lossy call x2; do
  "$B/crispcall" eval --suite call --preset "$preset" --method teacher --threads 2 \
    --json "docs/results/eval-teacher-repaired-$preset.json"
done
