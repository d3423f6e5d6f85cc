#!/usr/bin/env bash
# Session 21's teacher: RLFN (Apache-2.0, see NOTICE) from its published x2 weights, fine-tuned on
# the x2 teacher's pairs (configs/teacher-rlfn-x2.yaml); its validation beside upconv7's (the
# teacher of sessions 14-20, commit f714e48) and beside the ensemble of the two; its export, its
# outputs on the pair cache for the student, and the limit-4 eval beside the peers
# (docs/models/teacher.md, "Session 21").
# Needs data/pairs-teacher-x2-128.npz (scripts/teacher-upconv7-x2.sh) and ../shared/peers/rlfn.
# About an hour of training, 10 minutes of responses and 30 of eval on two threads.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs/s21
git show f714e48:weights/teacher.pt > runs/s21/teacher-upconv7-x2.pt
"$B/crispcall" train import-rlfn --pth ../shared/peers/rlfn/rlfn_x2.pth --out runs/rlfn-x2.pt
"$B/crispcall" train teacher --config configs/teacher-rlfn-x2.yaml --out runs/teacher-rlfn-x2 >> runs/teacher-rlfn-x2.log 2>&1
"$B/crispcall" train plot --log runs/teacher-rlfn-x2/log.csv --out docs/models/teacher-rlfn-x2-loss.png
"$B/crispcall" train ensemble --weights runs/s21/teacher-upconv7-x2.pt runs/teacher-rlfn-x2/teacher.pt \
  --out runs/teacher-ensemble.pt
"$B/crispcall" train validate --weights runs/rlfn-x2.pt runs/teacher-rlfn-x2/teacher.pt runs/s21/teacher-upconv7-x2.pt \
  runs/teacher-ensemble.pt --config configs/teacher-rlfn-x2.yaml --json docs/results/validate-teacher-rlfn.json
"$B/crispcall" export --checkpoint runs/teacher-rlfn-x2/teacher.pt --out runs/teacher-rlfn-x2/teacher-rlfn-x2.onnx
"$B/crispcall" train responses --teacher runs/teacher-rlfn-x2/teacher.pt --cache data/pairs-teacher-x2-128.npz \
  --out data/pairs-teacher-x2-128-rlfn-responses.npz
# The same files as session 14's limit-4 runs of the upconv7 teacher, waifu2x-noise1 and IMDN-RTE
# (docs/results/eval-teacher-x2-limit4-*.json), which the tables in docs/models/teacher.md sit beside.
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method runs/teacher-rlfn-x2/teacher-rlfn-x2.onnx \
  --threads 2 --limit 4 --no-ocr --json docs/results/eval-teacher-rlfn-x2-limit4.json
# Shipped (session 21): ahead of the upconv7 teacher at every preset on these files.
cp runs/teacher-rlfn-x2/teacher.pt weights/teacher.pt
cp runs/teacher-rlfn-x2/teacher-rlfn-x2.onnx weights/teacher.onnx
