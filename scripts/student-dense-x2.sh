#!/usr/bin/env bash
# A dense student body (CHANNELS wide, BLOCKS blocks of two 3x3 convolutions) distilled from the
# x2 teacher on session 14's pairs and responses (configs/student-x2.yaml, STEPS steps), then QAT
# (configs/student-qat.yaml's recipe), every export the runtime and the page use (frame graphs,
# luma twins, I420 twins; FP32 and INT8) and the limit-4 eval beside the shipped student and
# IMDN-RTE. Arguments are more training overrides (--set section.key=value).
# Session 18 shipped the default shape, 32 x 4 (10.7 GMAC a 1080p frame). Session 19 ran a
# 48 x 3 body (17.9 GMAC, which times level with it as INT8: bench-student-shapes-s19.json):
#   CHANNELS=48 BLOCKS=3 bash scripts/student-dense-x2.sh [--set train.lr=5e-4 --set train.warmup_steps=1000]
# At these learning rates its ReLUs died (docs/models/student.md); the run that trains is
# configs/student-dense48x3-x2.yaml (2e-4, plain convolutions, 30,000 steps), which CONFIG names
# (the run is then runs/<config name>, and CHANNELS, BLOCKS and STEPS come from the file):
#   CONFIG=configs/student-dense48x3-x2.yaml bash scripts/student-dense-x2.sh
# Why dense: as INT8 with the SpaceToDepth stem, dense 3x3 convolutions run at 40-70% of this
# CPU's INT8 peak against 9% for the separable body, so these bodies time within issue 15's budget
# (docs/results/bench-student-shapes-dense-s18.json, bench-student-shapes-s19.json).
# Needs data/pairs-teacher-x2-128.npz and its responses (scripts/teacher-upconv7-x2.sh makes
# them). 32 x 4: about 40 minutes of training on two threads, 48 x 3 about 65 (both resume
# from their checkpoints), then 5-10 of QAT.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
source scripts/export-student.sh
CHANNELS=${CHANNELS:-32}
BLOCKS=${BLOCKS:-4}
STEPS=${STEPS:-7000}
THREADS=${THREADS:-2}
if [[ -n ${CONFIG:-} ]]; then
  NAME=$(basename "$CONFIG" .yaml)
  SHAPE=()
else
  CONFIG=configs/student-x2.yaml
  NAME=student-dense${CHANNELS}x$BLOCKS
  SHAPE=(--set model.block=dense --set model.channels=$CHANNELS --set model.blocks=$BLOCKS
         --set train.steps=$STEPS --set distill.teacher=weights/teacher.pt)
fi
OUT=runs/$NAME
"$B/crispcall" train student --config "$CONFIG" --out $OUT "${SHAPE[@]}" --set train.threads=$THREADS "$@"
"$B/crispcall" train student --config configs/student-qat.yaml --out $OUT-qat \
  --set train.init=$OUT/student.pt --set data.cache=data/pairs-teacher-x2-128.npz \
  --set distill.responses=data/pairs-teacher-x2-128-responses.npz --set train.threads=$THREADS
export_student $OUT $NAME
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method $OUT/$NAME.onnx \
  $OUT/$NAME-int8.onnx student student-int8 imdn-rte --threads $THREADS --limit 4 --no-ocr \
  --json docs/results/eval-$NAME-limit4.json
