#!/usr/bin/env bash
# Session 21's student: session 20's shipped weights (32 x 4, commit f714e48) fine-tuned for 4,000
# steps on the RLFN teacher's targets (scripts/teacher-rlfn-x2.sh) beside the clean x2 pairs with
# their own ground truth (configs/student-dense32x4-rlfn-x2.yaml), QAT on the same mix, every
# export the runtime and the page use, and the limit-4 eval beside session 20's student.
# Needs data/pairs-teacher-x2-128.npz, data/pairs-teacher-x2-128-rlfn-responses.npz and
# data/pairs-clean-x2-128.npz (scripts/student-clean-x2.sh makes it). About 20 minutes on two threads.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
source scripts/export-student.sh
THREADS=${THREADS:-2}
NAME=student-dense32x4-rlfn-x2
OUT=runs/$NAME
mkdir -p runs/s21
git show f714e48:weights/student.pt > runs/s21/student-s20.pt
"$B/crispcall" train student --config configs/$NAME.yaml --out $OUT --set train.threads="$THREADS"
MIX=(--set "data.cache=[data/pairs-teacher-x2-128.npz, data/pairs-clean-x2-128.npz]"
     --set "distill.responses=[data/pairs-teacher-x2-128-rlfn-responses.npz, clean]"
     --set distill.teacher=runs/teacher-rlfn-x2/teacher.pt --set train.threads="$THREADS")
"$B/crispcall" train student --config configs/student-qat.yaml --out $OUT-qat --set train.init=$OUT/student.pt "${MIX[@]}"
export_student $OUT $NAME
# `student` and `student-int8` below are session 20's shipped files.
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method $OUT/$NAME.onnx $OUT/$NAME-int8.onnx \
  student student-int8 --threads "$THREADS" --limit 4 --no-ocr --json docs/results/eval-student-rlfn-x2-limit4.json
