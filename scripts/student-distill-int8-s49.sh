#!/usr/bin/env bash
# Session 49 (issue 15: distillation +0.09 dB at `call` on every file, +0.3 asked). Session 45's
# arms (scripts/student-distill-t40-scratch.sh: the twin `gt` on the ground truth, the taught arm
# `only` on the shipped teacher's outputs, 72,000 steps each) were compared in FP32; the student
# that ships is INT8. Does the taught arm keep more of its quality through quantization? Each arm
# gets session 43's QAT recipe (configs/student-t64-qat.yaml, 3,000 steps) on its own targets, then
# its INT8 frame graph is scored on every file at `call` beside the other's.
#   bash scripts/student-distill-int8-s49.sh   # about 30 minutes on two threads
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
ARMS=runs/student-distill-t40-scratch-72000
R=runs/s49
T=data/pairs-teacher-x2-128-t40-responses.npz
S=data/pairs-screens-x2-128-t40se-responses.npz
mkdir -p $R
qat() {  # arm, then the overrides that give it the targets it learnt from
  local arm=$1
  shift
  "$B/crispcall" train student --config configs/student-t64-qat.yaml --out $R/$arm-qat --steps 3000 \
    --set train.init=$ARMS/$arm/student.pt "$@" > $R/$arm-qat.log 2>&1
  "$B/crispcall" export --checkpoint $R/$arm-qat/student.pt --out $R/distill-$arm-int8.onnx --int8 \
    --calibration ../shared/data/train data/screens
}
qat gt --set distill.response=0 --set distill.responses=null
qat only --set loss.l1=0 --set loss.ssim=0 --set loss.gradient=0 --set "distill.responses=[$T, $T, clean, $S]"
"$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr \
  --method $R/distill-gt-int8.onnx $R/distill-only-int8.onnx --json docs/results/eval-student-distill-int8-s49-call.json
