#!/usr/bin/env bash
# The same-size teacher of sessions 12-13 (replaced in session 14 by the x2 teacher,
# scripts/teacher-upconv7-x2.sh; its weights are weights/teacher.pt at commit 0f2ef0f): waifu2x's
# upconv_7 noise1 weights (MIT, see NOTICE) made same-size and fine-tuned on call degradations
# (configs/teacher-upconv7.yaml), then exported into runs/teacher-upconv7/.
# Needs ../shared/data/train and ../shared/peers/waifu2x. Run from the repository root:
#   bash scripts/teacher-upconv7.sh   (about 3 min of data and 55 min of training on 2 cores)
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs
[ -d data/screens ] || "$B/crispcall" data screens --out data/screens --count 600
[ -f data/pairs-teacher-128.npz ] ||
  "$B/crispcall" data cache --train ../shared/data/train data/screens --out data/pairs-teacher-128.npz \
    --count 24000 --patch-size 128 --workers 2 --holdout-every 50 --config configs/degrade-teacher.yaml
[ -f runs/upconv7-noise1.pt ] ||
  "$B/crispcall" train import-waifu2x --bin ../shared/peers/waifu2x/noise1_scale2.0x_model.bin \
    --out runs/upconv7-noise1.pt
"$B/crispcall" train teacher --config configs/teacher-upconv7.yaml --out runs/teacher-upconv7 \
  > runs/teacher-upconv7.log 2>&1
"$B/crispcall" export --checkpoint runs/teacher-upconv7/teacher.pt --out runs/teacher-upconv7/teacher.onnx
"$B/crispcall" train plot --log runs/teacher-upconv7/log.csv --out docs/models/teacher-upconv7-loss.png
