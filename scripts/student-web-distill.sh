#!/usr/bin/env bash
# Session 50 (issue 15: distillation +0.10 dB at `call` over the twin on the default student,
# +0.3 asked). Session 47 found the gain shrinking as the student's capacity grows (48 channels:
# -0.10; the taught arm's error is the teacher's plus its own misfit to the teacher's targets).
# The browser's student (configs/student-web.yaml: unshuffle 8, 32 channels, four separable
# blocks, a thirty-fourth of the default's MACs a pixel) is the smallest that ships, so the
# ablation again on its body: from scratch, the same pairs, seed and steps, in bfloat16, one
# thread each, side by side; the twin on L1 to the ground truth, the taught arm on L1 to the
# shipped teacher's outputs (session 45's targets, as its `only` arm). Then both FP32 frame
# graphs on every file at `call`.
# Needs session 43's responses, as scripts/student-distill-t40-scratch.sh.
#   bash scripts/student-web-distill.sh [STEPS]   # default 30,000
#
# Session 51: the one approach issue 15 names that no session had tried, DIPNet's teacher-enhanced
# targets (Yu et al. 2023): the taught arm learns the ground truth as the teacher enhances it (the
# shipped x2 teacher on each pair's clean patch, its output area-downscaled back to the patch:
# `crispcall train responses --on-clean`, made here) instead of the teacher's output on the
# degraded patch. On the 24,000 call pairs only (71 minutes on two threads; the clean x2
# and screen pairs, 14,000 more, would have taken the session's remaining time): there it learns
# the enhanced targets, on the others the ground truth, as the twin. The twin is run again beside it:
#   bash scripts/student-web-distill.sh 30000 gt-l1 dipnet   # eval-student-distill-web-30000-dipnet-every-call.json
#
# Session 52: how much the twin has left to learn from these images at all. Under squared error a
# teacher's targets have the same minimiser as the ground truth (E|s - y|^2 = E|s - E[y|x]|^2 + a
# constant), so what any teacher, even a perfect one, can add is bounded by what the twin loses
# to its finite pairs and steps. The twin again on a quarter of the pairs (a new draw) and on
# twice as many (the pairs and a second draw of them, the same images; `bash scripts/distill-data.sh
# draws` makes both, about 7 minutes), the same steps, beside the twin on the pairs:
#   bash scripts/student-web-distill.sh 30000 gt-l1 gt-l1-quarter gt-l1-double   # ...-gt-l1-double-every-call.json
# BODY=dense32x5-scratch runs the arms on session 45's body (configs/student-dense32x5-scratch.yaml,
# whose 72,000-step twin and taught arm session 47 scored: eval-student-distill-t40-scratch-72000-*):
#   BODY=dense32x5-scratch bash scripts/student-web-distill.sh 72000 gt-l1-quarter gt-l1-double
# and whether the screens' gain there is the screen pairs': the twin on its pairs and the second
# draw's 8,000 screen pairs alone (THREADS: each arm's threads, default 1):
#   BODY=dense32x5-scratch THREADS=2 bash scripts/student-web-distill.sh 72000 gt-l1-screens
#
# Session 53: that arm again with another seed (SEED: the arms' seed), to tell what its body gains
# on screens from what one run's draw of weights and batches gives:
#   BODY=dense32x5-scratch THREADS=2 SEED=1 bash scripts/student-web-distill.sh 72000 gt-l1-screens
# Session 54: that arm on two more bodies (configs/student-dense32x4-scratch.yaml,
# configs/student-mixed32x7-d123-scratch.yaml); then scripts/student-s54.sh cuts session 52's down.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
STEPS=${1:-30000}
shift $(($# > 0 ? 1 : 0))
if [ $# -gt 0 ]; then ARMS=("$@"); else ARMS=(gt-l1 only); fi
BODY=${BODY:-web}  # the arms' body: configs/student-$BODY.yaml
THREADS=${THREADS:-1}  # each arm's
SEED=${SEED:-}  # the arms' seed, where not their config's; named in the runs' folder and results
TAG=$BODY-$STEPS${SEED:+-seed$SEED}
OUT=runs/student-distill-$TAG
T40=(data/pairs-teacher-x2-128-t40-responses.npz data/pairs-clean-x2-128-t40-responses.npz
  data/pairs-screens-x2-128-t40se-responses.npz)
ENHANCED=data/pairs-teacher-x2-128-t40-enhanced.npz
draws() {  # the three caches of one draw, as a YAML list
  echo "data/pairs-teacher-x2-128$1.npz, data/pairs-clean-x2-128$1.npz, data/pairs-screens-x2-128$1.npz"
}
GROUND_TRUTH=(--set distill.response=0 --set distill.responses=null)  # the twins' targets
overrides() {  # the settings that make an arm, into SETTINGS
  case $1 in
    gt-l1) SETTINGS=("${GROUND_TRUTH[@]}") ;;
    gt-l1-quarter) SETTINGS=("${GROUND_TRUTH[@]}" --set "data.cache=[$(draws -quarter)]") ;;
    gt-l1-double) SETTINGS=("${GROUND_TRUTH[@]}" --set "data.cache=[$(draws ""), $(draws -second)]") ;;
    gt-l1-screens) SETTINGS=("${GROUND_TRUTH[@]}" --set "data.cache=[$(draws ""), data/pairs-screens-x2-128-second.npz]") ;;
    only) SETTINGS=(--set loss.l1=0 --set "distill.responses=[${T40[0]}, ${T40[1]}, ${T40[2]}]") ;;
    dipnet) SETTINGS=(--set loss.l1=0 --set "distill.responses=[$ENHANCED, clean, clean]") ;;
    *) echo "unknown arm $1 (gt-l1, gt-l1-quarter, gt-l1-double, gt-l1-screens, only, dipnet)" >&2; exit 2 ;;
  esac
}
for arm in "${ARMS[@]}"; do
  overrides "$arm"
  if [ "$arm" = only ]; then
    for file in "${T40[@]}"; do
      [ -f "$file" ] || { echo "no $file: see scripts/student-distill-t40-scratch.sh" >&2; exit 2; }
    done
  fi
  if [[ $arm = gt-l1-* ]]; then
    bash scripts/distill-data.sh draws  # makes only the caches it lacks
  fi
  if [ "$arm" = dipnet ] && [ ! -f "$ENHANCED" ]; then
    "$B/crispcall" train responses --teacher weights/teacher.pt --cache data/pairs-teacher-x2-128.npz \
      --out "$ENHANCED" --on-clean --batch-size 16
  fi
done
train() {  # one arm, its log beside the runs
  overrides "$1"
  "$B/crispcall" train student --config "configs/student-$BODY.yaml" --out "$OUT/$1" --steps "$STEPS" \
    --set train.threads="$THREADS" --set train.precision=bfloat16 --set train.val_every=10000 \
    --set loss.ssim=0 --set loss.gradient=0 ${SEED:+--set train.seed=$SEED} "${SETTINGS[@]}" >> "$OUT-$1.log" 2>&1
}
mkdir -p "$OUT"
PIDS=()
for arm in "${ARMS[@]}"; do
  train "$arm" &
  PIDS+=($!)
done
for pid in "${PIDS[@]}"; do wait "$pid"; done
METHODS=()
for arm in "${ARMS[@]}"; do
  "$B/crispcall" export --checkpoint "$OUT/$arm/student.pt" --out "$OUT/$arm/distill-$TAG-$arm.onnx"
  METHODS+=("$OUT/$arm/distill-$TAG-$arm.onnx")
done
SUFFIX=$([ "${ARMS[*]}" = "gt-l1 only" ] || echo "-${ARMS[-1]}")
"$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr --method "${METHODS[@]}" \
  --json "docs/results/eval-student-distill-$TAG$SUFFIX-every-call.json"
