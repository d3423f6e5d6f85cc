#!/usr/bin/env bash
# Speed of every backend and precision of the shipped student beside the baselines, the teacher
# and every peer of ../shared/peers, in one run per setting (issue 6, BENCHMARK.md "Speed").
# Needs weights/student{,-int8}.{onnx,tflite} (docs/models/student.md) and the openvino and
# tflite extras. Run from the repository root on an idle machine:
#   bash scripts/bench-runtime.sh   (about 15 min on 2 cores)
# OUT names the JSON: session 42's run (the seven-block student) wrote docs/results/bench-runtime-s42-*,
# session 35's (the five mixed blocks) docs/results/bench-runtime-s35-*,
# session 27's (the five-block dense student) docs/results/bench-runtime-s27-*,
# session 18's (the four-block dense student) docs/results/bench-runtime-s18-*; the runs before
# them, of the separable student, are docs/results/bench-runtime-*.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
OUT=${OUT:-docs/results/bench-runtime-s42}
# The same student through the plain NCHW wrapper: what the frame graph saves (NHWC vs NCHW).
"$B/crispcall" export --checkpoint weights/student.pt --out runs/bench/student-generic-io.onnx --generic-io
OURS=(student runs/bench/student-generic-io.onnx student-int8 student@openvino student-int8@openvino)
# 1920x1080 with 2 threads: everything, the TFLite files (exported at 1920x1080) included.
"$B/crispcall" bench --size 1920x1080 --threads 2 \
  --method unsharp "${OURS[@]}" student@tflite student-int8@tflite teacher all \
  --json "$OUT-1080p.json"
# 1280x720 with one thread: our networks on the backends with dynamic sizes.
"$B/crispcall" bench --size 1280x720 --threads 1 --method unsharp "${OURS[@]}" \
  --json "$OUT-720p-1thread.json"
