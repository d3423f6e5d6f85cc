#!/usr/bin/env bash
# Session 30: the teacher's twin for x3 calls as an x3 network (docs/models/teacher.md, "Session
# 30"): session 26's x2 twin with its pixel-shuffle head regridded to x3, fine-tuned on x3 pairs
# whose target is the clean patch (L1, configs/teacher-rlfn-x3-direct.yaml), then on mean squared
# error (configs/teacher-rlfn-x3-direct-l2.yaml); scored beside the x2 twin on the first 4 files
# of each set at `poor`, shipped as weights/teacher-x3.*, and scored on every file. About 60
# minutes of training and 25 of eval on two threads.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs/s30
git show 3ca2408:weights/teacher-x3.pt > runs/s30/teacher-x3-s26.pt   # session 26's x2 twin, shipped until now
"$B/crispcall" data cache --train ../shared/data/train data/screens --out data/pairs-teacher-x3-full-132.npz \
  --count 12000 --patch-size 132 --workers 2 --holdout-every 50 --config configs/degrade-teacher-x3.yaml \
  --low-resolution --seed 31
"$B/crispcall" train rescale --weights runs/s30/teacher-x3-s26.pt --out runs/teacher-x3-direct-init.pt
"$B/crispcall" train teacher --config configs/teacher-rlfn-x3-direct.yaml --out runs/teacher-rlfn-x3-direct
"$B/crispcall" train teacher --config configs/teacher-rlfn-x3-direct-l2.yaml --out runs/teacher-rlfn-x3-direct-l2
# A second mean-squared-error leg, the schedule restarted at twice the rate (flat: not shipped).
"$B/crispcall" train teacher --config configs/teacher-rlfn-x3-direct-l2.yaml --out runs/teacher-rlfn-x3-direct-l2b \
  --steps 2000 --set train.init=runs/teacher-rlfn-x3-direct-l2/teacher.pt --set train.lr=1e-4
"$B/crispcall" train validate --weights runs/s30/teacher-x3-s26.pt runs/teacher-rlfn-x3-direct/teacher.pt \
  runs/teacher-rlfn-x3-direct-l2/teacher.pt runs/teacher-rlfn-x3-direct-l2b/teacher.pt \
  --config configs/teacher-rlfn-x3-direct.yaml --self-ensemble --json docs/results/validate-teacher-x3-direct.json
"$B/crispcall" export --checkpoint runs/s30/teacher-x3-s26.pt --out runs/s30/teacher-x3.onnx
for run in direct direct-l2 direct-l2b; do
  "$B/crispcall" export --checkpoint "runs/teacher-rlfn-x3-$run/teacher.pt" --out "runs/s30/teacher-x3-$run.onnx"
done
"$B/crispcall" eval --suite call --preset poor --method runs/s30/teacher-x3.onnx runs/s30/teacher-x3-direct.onnx \
  runs/s30/teacher-x3-direct-l2.onnx --threads 2 --limit 4 --no-ocr --json docs/results/eval-teacher-x3-direct-limit4.json
"$B/crispcall" eval --suite call --preset poor --method runs/s30/teacher-x3-direct-l2b.onnx --threads 2 --limit 4 \
  --no-ocr --json docs/results/eval-teacher-x3-direct-l2b-limit4.json
cp runs/teacher-rlfn-x3-direct-l2/teacher.pt weights/teacher-x3.pt
"$B/crispcall" export --checkpoint weights/teacher-x3.pt --out weights/teacher-x3.onnx
"$B/crispcall" eval --suite call --preset poor --method teacher --threads 2 --json docs/results/eval-teacher-x3-direct-poor.json
