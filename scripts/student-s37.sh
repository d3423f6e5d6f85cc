#!/usr/bin/env bash
# Session 37: the shipped student on pairs remade after the codec round trip stopped darkening
# frames (decoded planes to RGB through crispcall.degrade.yuv.video_frame_rgb, commit d13e643).
#   bash scripts/student-s37.sh data   # move the older caches aside (runs/s37/old-caches) and remake them
#   bash scripts/student-s37.sh teacher  # session 21's RLFN teacher 1,000 steps on them (it had learnt to undo the
#                                        # old darkening: +0.65 levels on the new pairs), then its responses
#   (since this session distill-data.sh makes the responses with the teacher this step wrote, committed as
#   docs/models/student-s37/teacher-s37.pt: after `data`, `teacher` is only needed to remake that teacher)
#   bash scripts/student-s37.sh train  # 8,000 steps of the shipped recipe from the shipped weights, then QAT
#   bash scripts/student-s37.sh eval   # exports, then the first 4 files a set beside the shipped files
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
OUT=runs/s37/fp32
source scripts/export-student.sh
case ${1:-} in
  data)
    mkdir -p runs/s37/old-caches
    for f in data/pairs-{teacher,clean,screens}-x2-128*.npz; do [ -f "$f" ] && mv "$f" runs/s37/old-caches/; done
    bash scripts/distill-data.sh ;;
  teacher)
    "$B/crispcall" train teacher --config configs/teacher-rlfn-x2.yaml --out runs/s37/teacher --steps 1000 \
      --set train.init=runs/s23/teacher-s21.pt --set train.lr=5e-5 --set train.warmup_steps=0 \
      --set train.val_every=500 --set train.checkpoint_every=250 >> runs/s37/teacher.log 2>&1
    for pairs in teacher screens; do
      "$B/crispcall" train responses --teacher runs/s37/teacher/teacher.pt --cache data/pairs-$pairs-x2-128.npz \
        --out data/pairs-$pairs-x2-128-rlfn-responses.npz >> runs/s37/teacher.log 2>&1
    done ;;
  train)
    "$B/crispcall" train student --config configs/student-dense32x5-t64-screens.yaml --out $OUT --steps 8000 \
      --set model.block=mixed --set model.tail_kernel=1 --set train.init=weights/student.pt \
      --set train.warmup_steps=200 --set train.seed=5 >> $OUT.log 2>&1
    "$B/crispcall" train student --config configs/student-t64-qat.yaml --out $OUT-qat \
      --set train.init=$OUT/student.pt >> $OUT-qat.log 2>&1 ;;
  eval)
    export_student $OUT s37
    "$B/crispcall" eval --suite call --preset x2 call poor lossy --limit 4 --threads 2 --no-ocr \
      --method $OUT/s37.onnx $OUT/s37-int8.onnx --json docs/results/eval-student-s37-limit4.json ;;
  *) echo "usage: $0 data|teacher|train|eval" >&2; exit 2 ;;
esac
