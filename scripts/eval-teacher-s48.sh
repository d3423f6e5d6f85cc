#!/usr/bin/env bash
# Session 48: the shipped x2 teacher (weights/teacher.onnx, unchanged since session 40) on the video
# set. Issue 15 scores the teacher on every file; sessions 38-40 scored it on the image sets only
# (eval-teacher-s40-*.json), the peers have every file under the fixed conversion
# (eval-student-s37-every-x2-call.json, eval-student-s38-every-poor-lossy.json,
# eval-peers-s47-x2-call.json). Its 8 flips and rotations take 33 s a megapixel on one thread
# here, and the 589 frames (every tenth of 20 clips, 480x480 to 1280x720) hold 235 megapixels:
# about 2 hours a preset on one thread, 70 minutes on two. `call` first, where its lead on the
# image sets is smallest against the +0.5 asked:
#   bash scripts/eval-teacher-s48.sh [PRESET...]   # default: call
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
"$B/crispcall" eval --suite call --sets video --preset "${@:-call}" --method teacher --threads 2 \
  --json "docs/results/eval-teacher-s48-video-$(IFS=-; echo "${*:-call}").json"
