#!/usr/bin/env bash
# Session 31: distillation with upcycled data (DUKD, "zoom-in"): the teacher's outputs on
# training crops at their own scale, whose x2 enlargement has no ground truth, beside the pairs of
# session 27's `only` arm (scripts/student-distill-b5.sh: same body, config, seed and steps; the
# teacher's output as the only target, the clean x2 pairs their own). The ground-truth-only twin
# cannot learn from such crops, so any gain is what the teacher passes on. Needs the caches and
# responses of that script and runs/s23/teacher-s21.pt. About an hour on one core.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
OUT=runs/student-distill-zoom
"$B/crispcall" data cache --train ../shared/data/train data/screens --out data/pairs-zoom-x2-128.npz --count 12000 \
  --patch-size 128 --workers 2 --holdout-every 50 --config configs/degrade-teacher-x2.yaml --low-resolution \
  --zoom 2 --seed 41
"$B/crispcall" train responses --teacher runs/s23/teacher-s21.pt --cache data/pairs-zoom-x2-128.npz \
  --out data/pairs-zoom-x2-128-rlfn-responses.npz
"$B/crispcall" train student --config configs/student-dense32x5-scratch.yaml --out $OUT \
  --set "data.cache=[data/pairs-teacher-x2-128.npz, data/pairs-clean-x2-128.npz, data/pairs-screens-x2-128.npz, data/pairs-zoom-x2-128.npz]" \
  --set "distill.responses=[data/pairs-teacher-x2-128-rlfn-responses.npz, clean, data/pairs-screens-x2-128-rlfn-responses.npz, data/pairs-zoom-x2-128-rlfn-responses.npz]" \
  --set loss.l1=0 --set loss.ssim=0 --set loss.gradient=0 --set train.threads=1 > $OUT.log 2>&1
"$B/crispcall" export --checkpoint $OUT/student.pt --out $OUT/distill-b5-zoom.onnx
"$B/crispcall" eval --suite call --preset x2 call poor lossy --threads 2 --limit 4 --no-ocr \
  --method $OUT/distill-b5-zoom.onnx --json docs/results/eval-student-distill-zoom-limit4.json
