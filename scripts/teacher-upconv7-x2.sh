#!/usr/bin/env bash
# The shipped teacher (session 14 on), the x2 teacher: waifu2x's upconv_7 noise1 weights (MIT, see NOTICE) on the frame the
# call delivered, fine-tuned on call degradations at x2 (configs/teacher-upconv7-x2.yaml), exported,
# and its outputs on the pair cache computed once for the student (configs/student-x2.yaml).
# Needs ../shared/data/train and ../shared/peers/waifu2x. Run from the repository root:
#   bash scripts/teacher-upconv7-x2.sh   (about 3 min of data, 60 min of training, 12 of responses on 2 cores)
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
mkdir -p runs
[ -d data/screens ] || "$B/crispcall" data screens --out data/screens --count 600
[ -f data/pairs-teacher-x2-128.npz ] ||
  "$B/crispcall" data cache --train ../shared/data/train data/screens --out data/pairs-teacher-x2-128.npz \
    --count 24000 --patch-size 128 --workers 2 --holdout-every 50 --config configs/degrade-teacher-x2.yaml \
    --low-resolution
[ -f runs/upconv7-x2-noise1.pt ] ||
  "$B/crispcall" train import-waifu2x --bin ../shared/peers/waifu2x/noise1_scale2.0x_model.bin --kind upconv7-x2 \
    --out runs/upconv7-x2-noise1.pt
"$B/crispcall" train teacher --config configs/teacher-upconv7-x2.yaml --out runs/teacher-upconv7-x2 \
  >> runs/teacher-upconv7-x2.log 2>&1
"$B/crispcall" export --checkpoint runs/teacher-upconv7-x2/teacher.pt --out runs/teacher-upconv7-x2/teacher.onnx
cp runs/teacher-upconv7-x2/teacher.pt weights/teacher.pt
cp runs/teacher-upconv7-x2/teacher.onnx weights/teacher.onnx
"$B/crispcall" train plot --log runs/teacher-upconv7-x2/log.csv --out docs/models/teacher-upconv7-x2-loss.png
"$B/crispcall" train responses --teacher runs/teacher-upconv7-x2/teacher.pt --cache data/pairs-teacher-x2-128.npz \
  --out data/pairs-teacher-x2-128-responses.npz
