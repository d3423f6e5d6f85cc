#!/usr/bin/env bash
# Session 17's trial (issue 15): the student's body on the x2 grid at 16 channels with 1x1 head
# and tail (unshuffle 2), distilled from the x2 teacher on session 14's pairs and responses
# (configs/student-x2.yaml, 4,000 steps), then QAT (configs/student-qat.yaml's recipe), the
# FP32 and INT8 exports and the limit-4 eval beside the shipped student and IMDN-RTE.
# Needs data/pairs-teacher-x2-128.npz and its responses (scripts/teacher-upconv7-x2.sh makes
# them). About 11 + 4 minutes of training on one thread, 10 of evaluation.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
OUT=runs/student-u2s16
THREADS=${THREADS:-1}
"$B/crispcall" train student --config configs/student-x2.yaml --out $OUT \
  --set model.unshuffle=2 --set model.channels=16 --set model.head_kernel=1 --set model.tail_kernel=1 \
  --set train.steps=4000 --set train.val_every=1000 --set train.threads=$THREADS \
  --set distill.teacher=weights/teacher.pt
"$B/crispcall" train student --config configs/student-qat.yaml --out $OUT-qat \
  --set train.init=$OUT/student.pt --set data.cache=data/pairs-teacher-x2-128.npz \
  --set distill.responses=data/pairs-teacher-x2-128-responses.npz --set distill.teacher=weights/teacher.pt \
  --set train.threads=$THREADS
"$B/crispcall" export --checkpoint $OUT/student.pt --out $OUT/student-u2s16.onnx
"$B/crispcall" export --checkpoint $OUT-qat/student.pt --out $OUT/student-u2s16-int8.onnx --int8 \
  --calibration ../shared/data/train data/screens
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method $OUT/student-u2s16.onnx \
  $OUT/student-u2s16-int8.onnx student student-int8 imdn-rte --threads $THREADS --limit 4 --no-ocr \
  --json docs/results/eval-student-u2s16-limit4.json
