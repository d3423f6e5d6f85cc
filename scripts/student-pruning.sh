#!/usr/bin/env bash
# Pruning exploration (issue 5): prune weights/student.pt's residual stream to KEEP channels,
# fine-tune each by response distillation (train.init), export, then score and time them all.
# Run from the repository root: bash scripts/student-pruning.sh
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
STEPS=${STEPS:-1000}
mkdir -p runs/pruning
for keep in 24 16; do
  "$B/crispcall" prune --checkpoint weights/student.pt --keep "$keep" --out "runs/pruning/pruned-$keep.pt"
  "$B/crispcall" train student --config configs/student-cpu.yaml --out "runs/student-p$keep" --steps "$STEPS" \
    --set model.channels="$keep" --set model.rep=false --set train.init="runs/pruning/pruned-$keep.pt" \
    --set train.warmup_steps=0 --set train.lr=3.0e-4 > "runs/student-p$keep.log" 2>&1
  "$B/crispcall" export --checkpoint "runs/student-p$keep/student.pt" --out "runs/pruning/student-p$keep.onnx"
done
"$B/crispcall" eval --suite call --preset x2,call,poor,lossy --no-ocr \
  --method runs/pruning/student-p24.onnx runs/pruning/student-p16.onnx --json docs/results/eval-student-pruning.json
"$B/crispcall" bench --size 1920x1080 --threads 2 \
  --method student runs/pruning/student-p24.onnx runs/pruning/student-p16.onnx --json docs/results/bench-student-pruning.json
