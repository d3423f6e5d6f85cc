#!/usr/bin/env bash
# Session 33: a second phase for both arms of scripts/student-distill-long.sh at 64,000 steps
# (their final EMA weights, runs/student-distill-long/ARM/student.pt: `crispcall train
# checkpoint-weights` makes them from the checkpoints in docs/models/student-s32/), fine-tuned
# alike for STEPS more steps at a restarted, lower rate (same body, pairs, seed, steps and
# schedule in both), then both on the first 4 files of each set.
# About 30 minutes on two cores for 8,000 steps.
#   bash scripts/student-distill-phase.sh mse     # the squared error (PSNR's own loss): the twin
#                                                 # against the ground truth, the other arm against the teacher
#   bash scripts/student-distill-phase.sh clean   # the arms' own losses, the teacher's outputs now the
#                                                 # target of the clean pairs too (data/pairs-clean-x2-128-rlfn-responses.npz)
#   bash scripts/student-distill-phase.sh shipped # as clean, the clean pairs' target from the shipped teacher
#                                                 # (data/pairs-clean-x2-128-teacher-responses.npz), which does not
#                                                 # smooth clean frames; its twin is clean's (cp -r runs/student-distill-clean/gt
#                                                 # runs/student-distill-shipped/: the same run, resumed at its last step)
# Session 34:
#   bash scripts/student-distill-phase.sh augment # the arms' own losses and targets, each batch in one of
#                                                 # the eight flips and rotations (train.augment)
#   bash scripts/student-distill-phase.sh luma    # the arms' own losses and targets on luma only (loss.luma)
# Session 43:
#   bash scripts/student-distill-phase.sh t40     # the arms' own losses, every target of the `only` arm from the
#                                                 # shipped teacher (session 40's network): its self-ensembled
#                                                 # responses on the screens pairs and its plain ones on the
#                                                 # teacher pairs (both made by `bash scripts/student-s39.sh
#                                                 # b7-t40se`) and on the clean pairs (made here, about 4 min)
# Session 44: the `only` arm of t40 again with one more term against the same teacher (issue 15 asks both
# re-measured against it), beside t40's twin; each on two threads, then every file at `call` too:
#   bash scripts/student-distill-phase.sh t40-feature    # feature alignment 0.05 (the weight session 12 measured):
#                                                        # the teacher runs live on the received batch (51 min)
#   bash scripts/student-distill-phase.sh t40-structure  # the structure term 0.1 (session 27's weight; 11 min)
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
PHASES="mse, clean, shipped, augment, luma, t40, t40-feature or t40-structure"
PHASE=${1:?say $PHASES}
STEPS=${2:-8000}
FROM=runs/student-distill-long
OUT=runs/student-distill-$PHASE
NO_GT_TERMS=(--set loss.l1=0 --set loss.ssim=0 --set loss.gradient=0)
GT_ONLY=(--set distill.response=0 --set distill.responses=null)
case $PHASE in
  mse)
    GT=("${GT_ONLY[@]}" "${NO_GT_TERMS[@]}" --set loss.l2=1)
    ONLY=("${NO_GT_TERMS[@]}" --set distill.response_norm=l2) ;;
  clean | shipped)
    CLEAN=data/pairs-clean-x2-128-rlfn-responses.npz
    [ "$PHASE" = clean ] || CLEAN=data/pairs-clean-x2-128-teacher-responses.npz
    GT=("${GT_ONLY[@]}")
    ONLY=("${NO_GT_TERMS[@]}" --set "distill.responses=[data/pairs-teacher-x2-128-rlfn-responses.npz, \
$CLEAN, data/pairs-screens-x2-128-rlfn-responses.npz]") ;;
  augment | luma)
    BOTH=(--set train.augment=true)
    [ "$PHASE" = augment ] || BOTH=(--set loss.luma=true)
    GT=("${GT_ONLY[@]}" "${BOTH[@]}")
    ONLY=("${NO_GT_TERMS[@]}" "${BOTH[@]}") ;;
  t40 | t40-feature | t40-structure)
    T40=(data/pairs-teacher-x2-128-t40-responses.npz data/pairs-clean-x2-128-t40-responses.npz
      data/pairs-screens-x2-128-t40se-responses.npz)
    [ -f "${T40[1]}" ] || "$B/crispcall" train responses --teacher weights/teacher.pt --cache data/pairs-clean-x2-128.npz \
      --out "${T40[1]}"
    for file in "${T40[@]}"; do
      [ -f "$file" ] || { echo "no $file: bash scripts/student-s39.sh b7-t40se makes it" >&2; exit 2; }
    done
    GT=("${GT_ONLY[@]}")
    ONLY=("${NO_GT_TERMS[@]}" --set "distill.responses=[${T40[0]}, ${T40[1]}, ${T40[2]}]")
    case $PHASE in  # one arm, beside t40's twin (runs/student-distill-t40/gt)
      t40-feature) GT=() ONLY+=(--set distill.teacher=weights/teacher.pt --set distill.feature=0.05 --set train.threads=2) ;;
      t40-structure) GT=() ONLY+=(--set distill.structure=0.1 --set train.threads=2) ;;
    esac ;;
  *) echo "unknown phase $PHASE: say $PHASES" >&2; exit 2 ;;
esac
train() {  # arm, then the overrides that make it
  local arm=$1
  shift
  "$B/crispcall" train student --config configs/student-dense32x5-scratch.yaml --out $OUT/$arm --steps "$STEPS" \
    --set train.init=$FROM/$arm/student.pt --set train.lr=5e-5 --set train.warmup_steps=200 \
    --set train.val_every=4000 "$@" >> "$OUT-$arm.log" 2>&1
}
mkdir -p $OUT
if [ ${#GT[@]} -eq 0 ]; then
  train only "${ONLY[@]}"
  bash scripts/distill-arms-eval.sh $OUT "$PHASE" only
  "$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr --method "$OUT/only/distill-$PHASE-only.onnx" \
    --json "docs/results/eval-student-distill-$PHASE-every-call.json"
  exit
fi
train gt "${GT[@]}" &
GT_PID=$!
train only "${ONLY[@]}"
wait $GT_PID
bash scripts/distill-arms-eval.sh $OUT "$PHASE" gt only
