#!/usr/bin/env bash
# Session 20's student: session 18's dense student (32 x 4, commit 90438d3's weights/student.pt)
# fine-tuned for 4,000 steps with clean x2 pairs beside the teacher's (their own ground truth as
# the target: the x2 teacher smooths clean frames), then QAT on the same mix, every export the
# runtime and the page use, and the limit-4 eval beside the 48 x 3 body given the same fine-tune
# (docs/models/student.md, "Session 20"). Needs data/pairs-teacher-x2-128.npz and its responses
# (scripts/teacher-upconv7-x2.sh) and, for the 48 x 3 row, runs/student-dense48x3-x2/student.pt
# (CONFIG=configs/student-dense48x3-x2.yaml bash scripts/student-dense-x2.sh). About 35 minutes
# on two threads. The shipped files are runs/student-dense32x4-clean-x2{,-qat}/student.pt and the
# exports beside them, copied to weights/ under the default names (student{,-int8}{,-luma,-i420}.onnx).
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
source scripts/export-student.sh
THREADS=${THREADS:-2}
"$B/crispcall" data cache --train ../shared/data/train data/screens --out data/pairs-clean-x2-128.npz \
  --count 6000 --patch-size 128 --workers "$THREADS" --holdout-every 50 --config configs/degrade-clean-x2.yaml \
  --low-resolution --seed 1
MIX=(--set "data.cache=[data/pairs-teacher-x2-128.npz, data/pairs-clean-x2-128.npz]"
     --set "distill.responses=[data/pairs-teacher-x2-128-responses.npz, clean]" --set train.threads="$THREADS")
mkdir -p runs/s20
git show 90438d3:weights/student.pt > runs/s20/student-s18.pt
"$B/python" scripts/grow_student.py runs/s20/student-s18.pt runs/student-32x4-fused.pt 4   # fused: plain convolutions
"$B/crispcall" train student --config configs/student-dense48x3-clean-x2.yaml --out runs/student-dense48x3-clean-x2 \
  --set train.threads="$THREADS"
"$B/crispcall" train student --config configs/student-dense48x3-clean-x2.yaml --out runs/student-dense32x4-clean-x2 \
  --set model.channels=32 --set model.blocks=4 --set train.init=runs/student-32x4-fused.pt --set train.threads="$THREADS"
for NAME in student-dense48x3-clean-x2 student-dense32x4-clean-x2; do
  OUT=runs/$NAME
  "$B/crispcall" train student --config configs/student-qat.yaml --out $OUT-qat --set train.init=$OUT/student.pt "${MIX[@]}"
  export_student $OUT $NAME
done
# `student` below is the student shipped before these files (session 18's weights).
"$B/crispcall" export --checkpoint runs/student-dense48x3-x2/student.pt --out runs/student-dense48x3-x2/student-dense48x3-x2.onnx
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method runs/student-dense48x3-x2/student-dense48x3-x2.onnx \
  runs/student-dense48x3-clean-x2/student-dense48x3-clean-x2.onnx \
  runs/student-dense32x4-clean-x2/student-dense32x4-clean-x2.onnx student unsharp imdn-rte espcn fsrcnn \
  --threads "$THREADS" --limit 4 --no-ocr --json docs/results/eval-student-clean-x2-limit4.json
