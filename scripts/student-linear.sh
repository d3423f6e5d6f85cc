#!/usr/bin/env bash
# Session 22's student: the 32 x 4 dense body with a linear head, from scratch on the RLFN
# teacher's targets beside the clean x2 pairs (configs/student-dense32x4-linear.yaml), and its
# ground-truth-only twin (same body, pairs, seed and steps; no teacher term), each on one thread
# side by side; QAT of the distilled one on the same mix, every export the runtime and the page
# use, and both FP32 networks and the INT8 file on the first 4 files of each set beside the
# shipped student. Needs data/pairs-teacher-x2-128.npz, data/pairs-clean-x2-128.npz and
# data/pairs-teacher-x2-128-rlfn-responses.npz (scripts/teacher-rlfn-x2.sh). About 80 minutes
# on two cores; the training runs resume from their checkpoints.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
source scripts/export-student.sh
NAME=student-dense32x4-linear
OUT=runs/$NAME
CONFIG=configs/$NAME.yaml
"$B/crispcall" train student --config $CONFIG --out $OUT --set train.threads=1 &
"$B/crispcall" train student --config $CONFIG --out $OUT-gt --set train.threads=1 \
  --set distill.response=0 --set distill.responses=null &
wait %1 && wait %2
"$B/crispcall" train student --config configs/student-qat.yaml --out $OUT-qat --set train.init=$OUT/student.pt \
  --set "data.cache=[data/pairs-teacher-x2-128.npz, data/pairs-clean-x2-128.npz]" \
  --set "distill.responses=[data/pairs-teacher-x2-128-rlfn-responses.npz, clean]" --set train.threads=2
export_student $OUT $NAME
"$B/crispcall" export --checkpoint $OUT-gt/student.pt --out $OUT-gt/$NAME-gt.onnx
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method $OUT/$NAME.onnx $OUT/$NAME-int8.onnx \
  $OUT-gt/$NAME-gt.onnx student student-int8 --threads 2 --limit 4 --no-ocr --json docs/results/eval-$NAME-limit4.json
