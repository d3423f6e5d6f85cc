#!/usr/bin/env bash
# Choosing the student's default by measurement (issue 5): architecture variants and two more
# distillation mixes, each trained like the shipped student (configs/student-cpu.yaml: response
# distillation, same pair cache, seed and steps) with one thing changed, exported, scored on the
# `call` suite and timed at 1080p in one bench run beside the shipped student.
# Needs the pair cache of configs/teacher-cpu-stage2.yaml and weights/teacher.pt.
# Run from the repository root: bash scripts/student-variants.sh   (about 50 min on 2 cores)
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
declare -A CHANGES=(
  [rgb]="model.color=rgb"
  [dense]="model.block=dense"
  [channel-att]="model.attention=channel"
  [spatial-att]="model.attention=spatial"
  [unshuffle2]="model.unshuffle=2 model.channels=16"
  [feature005]="distill.feature=0.05"
  [structure01]="distill.structure=0.1 distill.structure_eps=1.0"
)
NAMES=${NAMES:-"rgb dense channel-att spatial-att unshuffle2 feature005 structure01"}
mkdir -p runs/variants
for name in $NAMES; do
  sets=()
  for change in ${CHANGES[$name]}; do sets+=(--set "$change"); done
  "$B/crispcall" train student --config configs/student-cpu.yaml --out "runs/student-$name" "${sets[@]}" \
    > "runs/student-$name.log" 2>&1
  "$B/crispcall" export --checkpoint "runs/student-$name/student.pt" --out "runs/variants/student-$name.onnx"
done
methods=()
for name in $NAMES; do methods+=("runs/variants/student-$name.onnx"); done
"$B/crispcall" eval --suite call --preset x2,call,poor,lossy --no-ocr --method "${methods[@]}" \
  --json docs/results/eval-student-variants.json
"$B/crispcall" bench --size 1920x1080 --threads 2 --method student "${methods[@]}" \
  --json docs/results/bench-student-variants.json
