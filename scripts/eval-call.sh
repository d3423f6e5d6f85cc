#!/usr/bin/env bash
# The shipped teacher (session 12 on) on the `call` suite, all four presets, beside waifu2x-noise1
# (the network it was fine-tuned from) and IMDN-RTE, OCR on screens included. Session 12 scored
# the first 4 files of each set (4 clips of the video set) only: every file of the two slow
# networks did not fit beside training; session 13 scored the teacher on every file (the last
# commands, about an hour). One thread: it shared the CPU (threads change no score).
# Run from the repository root: bash scripts/eval-call.sh
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method teacher waifu2x-noise1 imdn-rte --threads 1 \
  --limit 4 --json docs/results/eval-teacher-upconv7-limit4.json
# Every file, the four presets in two processes side by side (one core each):
"$B/crispcall" eval --suite call --preset x2 call --method teacher --threads 1 \
  --json docs/results/eval-teacher-upconv7-x2-call.json &
"$B/crispcall" eval --suite call --preset poor lossy --method teacher --threads 1 \
  --json docs/results/eval-teacher-upconv7-poor-lossy.json
wait
