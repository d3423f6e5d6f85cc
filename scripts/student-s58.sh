#!/usr/bin/env bash
# Session 58 (issue 15: distillation +0.05 dB at `call` over the twin, +0.3 asked).
# (1) Why the screen-tuned teacher's targets cost the student's screens (session 57): both
# teachers, the 24,000-step twin and the arm that learnt that teacher's outputs on every screen
# crop, scored on 2,000 of the screen pairs the arm learnt from:
#   bash scripts/student-s58.sh screens-pairs
# (2) Whether the teacher's targets still add anything when both arms learn the squared error of
# luma, which PSNR scores: session 55's 72,000-step twin and taught arm, each 8,000 steps more on
# its own targets (the ground truth; the teacher's outputs on the call pairs) under that loss,
# at a low rate (3 minutes each on two threads here), then both on every file at `call`:
#   bash scripts/student-s58.sh mse; bash scripts/student-s58.sh mse-eval
# and whether what the teacher gave the arm stays when it goes on from its weights on the ground truth
# under the same loss (the twin's phase, from the arm's weights):
#   bash scripts/student-s58.sh mse-arm-gt; bash scripts/student-s58.sh mse-arm-gt-eval
# (3) Whether a larger body of the shipped family fits issue 15's speed budget: session 54's cut
# with five dense blocks instead of four (12.9 GMAC a 1080p frame, the shipped 10.6), untrained and
# quantized without QAT (the same graph as a trained one), timed beside the budget file and
# student-int8 (idle machine):
#   bash scripts/student-s58.sh cut5-bench
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
R=runs/s58
source scripts/pairs.sh
S54=runs/s54
CACHES="$T, $C, $S, $S2"  # session 55's fine-tune's caches, in its order
GROUND_TRUTH=(--set loss.l2=1 --set distill.response=0 --set distill.responses=null)
declare -A RESPONSES=([$T]=$T40)  # the taught arm's: the teacher's outputs as the call pairs' targets
targets "$CACHES"
TEACHER=("${TARGET_SETTINGS[@]}" --set distill.response_norm=l2)
squared_phase() {  # NAME RUN TARGETS...: RUN's weights 8,000 steps more on the squared error of luma against
                   # TARGETS, into $R/NAME, exported as $R/NAME/s58-NAME.onnx
  local name=$1 run=$2; shift 2
  "$B/crispcall" train student --config configs/student-dense32x4-scratch.yaml --out $R/$name --steps 8000 \
    --set train.init=$run/student.pt --set train.lr=5e-5 --set train.warmup_steps=200 --set train.threads=2 \
    --set train.precision=bfloat16 --set train.val_every=4000 --set "data.cache=[$CACHES]" --set loss.l1=0 \
    --set loss.ssim=0 --set loss.gradient=0 --set loss.luma=true "$@" > $R/$name.log 2>&1
  "$B/crispcall" export --checkpoint $R/$name/student.pt --out $R/$name/s58-$name.onnx
}
mkdir -p $R
case ${1:-} in
  screens-pairs)
    "$B/crispcall" train validate --config configs/student-dense32x4-scratch.yaml --set "data.cache=[$S]" --pairs 2000 \
      --weights docs/models/teacher-s57/screens-teacher.pt weights/teacher.pt $S54/dense32x4-shrunk/student.pt \
      $S54/dense32x4-shrunk-24000-teacher-s57-screens/student.pt --json docs/results/validate-s58-screens-pairs.json ;;
  mse)
    squared_phase mse-72000 $S54/dense32x4-shrunk-72000 "${GROUND_TRUTH[@]}"
    squared_phase mse-72000-teacher $S54/dense32x4-shrunk-72000-teacher "${TEACHER[@]}" ;;
  mse-arm-gt)  # the taught arm's weights on the ground truth: whether what the teacher gave it stays
    squared_phase mse-72000-teacher-gt $S54/dense32x4-shrunk-72000-teacher "${GROUND_TRUTH[@]}" ;;
  mse-eval)
    "$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr \
      --method $R/mse-72000/s58-mse-72000.onnx $R/mse-72000-teacher/s58-mse-72000-teacher.onnx \
      --json docs/results/eval-student-s58-mse-call.json ;;
  mse-arm-gt-eval)
    "$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr --method $R/mse-72000-teacher-gt/s58-mse-72000-teacher-gt.onnx \
      --json docs/results/eval-student-s58-mse-arm-gt-call.json ;;
  cut5-bench)
    source scripts/export-student.sh
    budget_file
    "$B/crispcall" prune --checkpoint $ARM52 --blocks 5 --block dense --tail-kernel 1 --out $R/dense32x5-cut.pt
    "$B/crispcall" export --checkpoint $R/dense32x5-cut.pt --out $R/dense32x5-cut-int8.onnx --int8 \
      --calibration ../shared/data/train data/screens
    "$B/crispcall" bench --size 1920x1080 --threads 2 --frames 30 --method $BUDGET student-int8 $R/dense32x5-cut-int8.onnx \
      --json docs/results/bench-s58-dense32x5-cut-1080p-2threads.json ;;
  *) echo "usage: $0 screens-pairs|mse|mse-eval|mse-arm-gt|mse-arm-gt-eval|cut5-bench" >&2; exit 2 ;;
esac
