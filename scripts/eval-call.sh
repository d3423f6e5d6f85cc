#!/usr/bin/env bash
# Scores of the shipped networks (session 12 on) on the `call` suite, every file, all four presets:
#  - the teacher beside waifu2x-noise1, the network it was fine-tuned from, and IMDN-RTE, on the
#    first 4 files of each set (4 clips of the video set): session 12 had no time for every file
#    of the two slow networks beside training (OCR on screens too);
#  - the students: FP32, INT8 (QAT), INT8 by PTQ alone (runs/int8, scripts/student-int8.sh) and the
#    ground-truth-only twin (student-scratch), with OCR.
# The first run used one thread (it shared the CPU with training); threads change no score.
# The other peers' rows (input, unsharp, ESPCN, FSRCNN, IMDN-RTE) are docs/results/eval-baselines.json:
# the presets are seeded per file, so every run scores the same degraded inputs.
# Run from the repository root: bash scripts/eval-call.sh
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method teacher waifu2x-noise1 imdn-rte --threads 1 \
  --limit 4 --json docs/results/eval-teacher-upconv7-limit4.json
"$B/crispcall" eval --suite call --preset x2 call poor lossy \
  --method student student-int8 student-scratch runs/int8/student-ptq.onnx \
  --json docs/results/eval-student-upconv7.json
