#!/usr/bin/env bash
# Session 47: the two peers the report's headline table lacked at `x2` and `call` under the fixed
# conversion (sessions 37-38 scored the others): unsharp and waifu2x-noise1 on every file, OCR
# included, one thread (it shared the CPU with training; threads change no score).
#   bash scripts/eval-peers-s47.sh
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
"$B/crispcall" eval --suite call --preset x2 call --method unsharp waifu2x-noise1 --threads 1 \
  --json docs/results/eval-peers-s47-x2-call.json
