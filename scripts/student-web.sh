#!/usr/bin/env bash
# Session 28: the browser's student (issue 17), configs/student-web.yaml. Four bodies at unshuffle
# 8 from scratch on the shipped student's pairs and RLFN responses (two side by side, one thread
# each; each arm holds about 6 GB), their FP32 frame, luma and I420 graphs, the first 4 files of
# each set beside student-lite and the peers, then the shipped arm's I420 graph in the page during
# a 300 kbps call and its profile there against native ONNX Runtime (both on an idle machine).
# Needs the caches and responses of docs/models/student.md (session 26) and runs/s23/teacher-s21.pt.
# About 60 minutes of training on two cores (the runs resume from their checkpoints), 10 of eval.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
CONFIG=configs/student-web.yaml
SHIPPED=w32s4
declare -A ARMS=(
  [d16b2]="--set model.channels=16 --set model.blocks=2 --set model.block=dense --set train.steps=8000"
  [d16b3]="--set model.channels=16 --set model.blocks=3 --set model.block=dense"
  [w48s3]="--set model.channels=48 --set model.blocks=3"
  [w32s4]=""
)
train() {
  # shellcheck disable=SC2086
  "$B/crispcall" train student --config $CONFIG --out runs/student-web-$1 ${ARMS[$1]} > runs/student-web-$1.log 2>&1
}
(train d16b2 && train d16b3) &
(train w48s3 && train w32s4) &
wait
METHODS=()
for arm in d16b2 d16b3 w48s3 w32s4; do
  for graph in "" luma i420; do
    "$B/crispcall" export --checkpoint runs/student-web-$arm/student.pt --out runs/s28/web/student-web-$arm${graph:+-$graph}.onnx ${graph:+--$graph}
  done
  METHODS+=("runs/s28/web/student-web-$arm.onnx")
done
"$B/crispcall" eval --suite call --preset x2 call poor lossy --threads 2 --limit 4 --no-ocr \
  --method input unsharp fsrcnn student-lite "${METHODS[@]}" --json docs/results/eval-student-web-limit4.json
cp runs/student-web-$SHIPPED/student.pt weights/student-web.pt
for graph in "" luma i420; do cp runs/s28/web/student-web-$SHIPPED${graph:+-$graph}.onnx weights/student-web${graph:+-$graph}.onnx; done
"$B/crispcall" bench --size 1280x720 --threads 1 --method student-web --browser student-web-i420.onnx student-lite-i420.onnx \
  --browser-threads 1 --frames 900 --warmup 30 --json docs/results/bench-browser-web.json
"$B/crispcall" profile weights/student-web-i420.onnx --size 1280x720 --received 320x180 --threads 1 --frames 100 --browser \
  --json docs/results/profile-browser-web.json
