#!/usr/bin/env bash
# Session 54 (issue 15). Bodies from scratch on the screens arm's pairs (session 52's gt-l1-screens:
# the shipped pairs and the second draw's 8,000 screen pairs, L1 to the ground truth) score on
# screens in the order of their views and MACs: only session 45's body (five dense blocks, a 3x3
# tail: 15.1 GMAC a 1080p frame, 1.32x issue 15's speed budget as INT8) reaches 34.07 dB there. So
# that body's weights shrunk to four dense blocks and a 1x1 tail (10.6 GMAC; crispcall prune fits
# each changed layer in least squares to what it replaces), then fine-tuned on the same pairs and
# loss, beside the same shape from scratch (configs/student-dense32x4-scratch.yaml):
#   bash scripts/student-s54.sh shrink           # 24,000 steps (about 8 min on two threads); FT=STEPS for
#                                                # other steps, into runs/s54/dense32x4-shrunk-STEPS, named so
# then session 43's QAT recipe (3,000 steps, the teacher's and the screen pairs twice) on the same
# loss, both frame graphs beside the shipped files on every file at `call`, and the INT8 one timed
# beside the budget file and student-int8, twice in reversed order (idle machine):
#   bash scripts/student-s54.sh qat; bash scripts/student-s54.sh eval; bash scripts/student-s54.sh bench
# It ships (as INT8 +0.11 dB on every file at `call`, +0.77 on screens, inside the budget): its
# weights and every export as the default student, then session 42's ship-eval (every preset with
# OCR, `classic` at x2, one bench run beside the budget file):
#   bash scripts/student-s54.sh ship; bash scripts/student-s39.sh ship-eval s54
#
# Session 55: the 72,000-step fine-tune ships (FT=72000 ... ship; student-s39.sh ship-eval s54-72000).
# Then, as the distillation arm beside it (its twin: same cut, pairs, seed and steps), the same
# fine-tune and QAT with the shipped teacher's outputs as the targets of the call pairs ($T40, made
# here if missing: 24,000 patches, 13 minutes on two idle threads of this Xeon) and the ground truth
# as the others' (TARGETS=teacher; session 52 found the teacher's targets worth +0.05..+0.14 dB on
# the photographs and -0.09 on screens, which these call pairs hold a third of, the others the rest):
#   FT=72000 TARGETS=teacher bash scripts/student-s54.sh shrink; ... qat; ... eval
# and Tesseract's readings of every screen at `call` by those files and the peers, one by one:
#   bash scripts/student-s54.sh ocr-files
# It ships (as INT8 +0.05 dB on every file at `call` over its twin, the photographs +0.06..+0.10,
# screens -0.07):
#   FT=72000 TARGETS=teacher bash scripts/student-s54.sh ship; bash scripts/student-s39.sh ship-eval s55
#
# Session 56: the same arm fine-tuned 108,000 steps, stopped by the session's end; its checkpoint
# (with the optimizer's state), its starting weights and its log are in docs/models/student-s56/.
# To go on from it (training refuses the checkpoint where the remade pair caches or responses
# differ by a byte from this machine's; then the run starts over, about 42 minutes):
#   mkdir -p runs/s54/dense32x4-shrunk-108000-teacher
#   cp docs/models/student-s56/dense32x4-shrunk-init.pt runs/s54/
#   cp docs/models/student-s56/dense32x4-shrunk-108000-teacher-checkpoint.pt runs/s54/dense32x4-shrunk-108000-teacher/checkpoint.pt
#   FT=108000 TARGETS=teacher bash scripts/student-s54.sh shrink; ... qat; ... eval
#
# Session 57: that run finished from the checkpoint (docs/models/student-s57/ has its whole log)
# and ships (as INT8 +0.05 dB on every file at `call` over session 55's file, screens +0.12):
#   FT=108000 TARGETS=teacher bash scripts/student-s54.sh ship; bash scripts/student-s39.sh ship-eval s57
# Session 58: the shipped student's twin, the same 108,000-step fine-tune and QAT on the ground truth
# alone (eval-student-s54-call-108000.json: the shipped student as INT8 +0.07 dB over it at `call`):
#   FT=108000 bash scripts/student-s54.sh shrink; ... qat; ... eval
# Session 59: CUT=dense32x5 or dense28x5 cuts session 52's arm to five blocks (of 28 channels for
# the second) instead of four, into runs/s54/CUT-shrunk...; scripts/student-s59.sh times them:
#   CUT=dense32x5 FT=108000 bash scripts/student-s54.sh shrink; ... qat; ... eval
# Session 60: CUT=mixed32x4 cuts session 57's shipped student to 1x1 second convolutions (6.3 GMAC, inside
# the budget on CPUs with AVX2 alone; scripts/student-s60.sh times it), fine-tuned on the ground truth:
#   CUT=mixed32x4 FT=24000 PRECISION=float32 bash scripts/student-s54.sh shrink; ... qat; ... eval
# TARGETS=teacher-s57: the outputs of scripts/teacher-s57.sh's teacher (fine-tuned on these pairs,
# screens and all; its weights as committed) as the call pairs' targets, its responses made here
# if missing (13 minutes); TARGETS=teacher-s57-screens: the screen pairs' targets too (17 minutes more
# here, beside a test run).
# Session 61: AFTER=STEPS starts from the ground-truth fine-tune of STEPS steps (its weights as
# committed in docs/models/student-s60/) instead of the cut: session 60's mixed32x4 fine-tune (flat on
# the validation frames from 10,000 steps), 24,000 steps more on the shipped teacher's targets (the
# shipped student's recipe, +0.06 dB as INT8 at `call` over its ground-truth twin):
#   CUT=mixed32x4 AFTER=24000 FT=24000 TARGETS=teacher PRECISION=float32 bash scripts/student-s54.sh shrink; ... qat; ... eval
# and the same with the screen pairs twice in the fine-tune (SCREENS=2), where that cut loses most:
#   CUT=mixed32x4 AFTER=24000 FT=24000 TARGETS=teacher SCREENS=2 PRECISION=float32 bash scripts/student-s54.sh shrink; ...
# Session 62: TARGETS=parent, the outputs of the network the cut was made from (for mixed32x4 the dense
# student-int8's FP32 weights, which read the test screens better: Tesseract CER 0.318 against 0.365)
# as every cache's targets, its responses made here where missing (a minute): the cut learns what it lost.
#   CUT=mixed32x4 AFTER=24000 FT=24000 TARGETS=parent PRECISION=float32 bash scripts/student-s54.sh shrink; ... qat; ... eval
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
R=runs/s54
STEPS=${FT:-24000}
PRECISION=${PRECISION:-bfloat16}  # the fine-tune's: float32 on CPUs without bfloat16 arithmetic (AVX2 alone: emulated, slower)
source scripts/pairs.sh
CUT=${CUT:-dense32x4}  # the body cut from session 52's arm: four blocks (shipped), five of 28 channels or five
                       # (session 59); or session 57's shipped student with 1x1 second convolutions (session 60)
FROM=$ARM52  # the weights cut: session 52's arm as committed
case $CUT in  # crispcall prune's flags for it; the fine-tune config's model keys that differ
  dense32x4) CUT_FLAGS=(--blocks 4 --block dense) CUT_MODEL=() ;;
  dense28x5) CUT_FLAGS=(--blocks 5 --block dense --keep 28) CUT_MODEL=(--set model.blocks=5 --set model.channels=28) ;;
  dense32x5) CUT_FLAGS=(--blocks 5 --block dense) CUT_MODEL=(--set model.blocks=5) ;;
  mixed32x4) CUT_FLAGS=(--blocks 4 --block mixed) CUT_MODEL=(--set model.block=mixed) FROM=$R/student-s57.pt ;;
  *) echo "CUT must be dense32x4, dense28x5, dense32x5 or mixed32x4" >&2; exit 2 ;;
esac
TARGETS=${TARGETS:-}  # whose outputs are which caches' targets (below); unset: the ground truth everywhere
declare -A RESPONSES=()  # cache: the responses file whose outputs are its targets (the others: the ground truth)
case $TARGETS in  # whose outputs, on which caches
  teacher) TEACHER=weights/teacher.pt; RESPONSES=([$T]=$T40) ;;
  teacher-s57*) TEACHER=docs/models/teacher-s57/screens-teacher.pt
    RESPONSES=([$T]=data/pairs-teacher-x2-128-s57-responses.npz) ;;&
  teacher-s57-screens) RESPONSES+=([$S]=data/pairs-screens-x2-128-s57-responses.npz
    [$S2]=data/pairs-screens-x2-128-second-s57-responses.npz) ;;
  parent) TEACHER=$FROM  # the network the cut was made from, on every cache (session 62)
    for cache in $T $C $S $S2; do RESPONSES[$cache]=${cache%.npz}-$(basename $FROM .pt)-responses.npz; done ;;
esac
AFTER=${AFTER:-}  # start from the ground-truth fine-tune of AFTER steps instead of the cut
SCREENS=${SCREENS:-}  # 2: the fine-tune sees the screen pairs twice, as the QAT does (session 61)
TAG=${AFTER:+-$AFTER-then}${FT:+-$FT}${TARGETS:+-$TARGETS}${SCREENS:+-screens$SCREENS}  # a fine-tune of other steps or targets than the shipped one's, and what follows
case ${SCREENS:-1} in
  1) FINETUNE_CACHES="$T, $C, $S, $S2" ;;
  2) FINETUNE_CACHES="$T, $C, $S, $S2, $S, $S2" ;;
  *) echo "SCREENS must be 1 or 2" >&2; exit 2 ;;
esac
QAT_CACHES="$T, $T, $C, $S, $S2, $S, $S2"  # the call and screen pairs twice
OUT=$R/$CUT-shrunk$TAG
SEED=${SEED:-}  # the QAT run's seed, where not its config's; named in its folder and results
QAT=$OUT-qat${SEED:+-seed$SEED}
NAME=s54-$CUT-shrunk$TAG${SEED:+-seed$SEED}
source scripts/export-student.sh
responses() {  # the teacher's outputs that TARGETS names, made where missing
  local cache
  for cache in "${!RESPONSES[@]}"; do
    [ -f ${RESPONSES[$cache]} ] || "$B/crispcall" train responses --teacher $TEACHER --cache $cache --out ${RESPONSES[$cache]}
  done
}
mkdir -p $R
[ -f $FROM ] || git show e473f26:weights/student.pt > $FROM  # session 57's shipped student (mixed32x4's)
case ${1:-} in
  shrink)
    responses
    if [ -n "$AFTER" ]; then
      INIT=docs/models/student-s60/$CUT-shrunk-$AFTER-student.pt  # as committed
    else  # made once: a run resumes only from the starting weights it began with (their bytes)
      INIT=$R/$CUT-shrunk-init.pt
      [ -f $INIT ] || "$B/crispcall" prune --checkpoint $FROM "${CUT_FLAGS[@]}" --tail-kernel 1 --out $INIT
    fi
    targets "$FINETUNE_CACHES"
    "$B/crispcall" train student --config configs/student-dense32x4-scratch.yaml --out $OUT \
      --steps "$STEPS" --set train.init=$INIT "${CUT_MODEL[@]}" --set train.warmup_steps=200 \
      --set train.threads=2 --set train.precision=$PRECISION --set train.val_every=10000 --set "data.cache=[$FINETUNE_CACHES]" \
      "${TARGET_SETTINGS[@]}" > $OUT.log 2>&1
    "$B/crispcall" export --checkpoint $OUT/student.pt --out $OUT/s54-$CUT-shrunk$TAG.onnx
    "$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr --method $OUT/s54-$CUT-shrunk$TAG.onnx \
      --json docs/results/eval-student-s54-$CUT-shrunk$TAG-call.json ;;
  qat)
    responses
    targets "$QAT_CACHES"
    "$B/crispcall" train student --config configs/student-t64-qat.yaml --out $QAT --steps 3000 \
      --set train.init=$OUT/student.pt --set "data.cache=[$QAT_CACHES]" "${TARGET_SETTINGS[@]}" \
      ${SEED:+--set train.seed=$SEED} > $QAT.log 2>&1 ;;
  eval)
    export_student $OUT $NAME $QAT
    "$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr --method student student-int8 \
      $OUT/$NAME.onnx $OUT/$NAME-int8.onnx --json docs/results/eval-student-${NAME/dense32x4-shrunk/call}.json ;;
  bench)
    budget_file
    bench_both_orders docs/results/bench-s54-shrunk$TAG-1080p-2threads 30 $BUDGET student-int8 $OUT/$NAME-int8.onnx ;;
  ocr)  # the INT8 frame graph's Tesseract error rate on screens at call, beside student-int8
    "$B/crispcall" eval --suite call --preset call --sets screens --threads 2 --method student-int8 $OUT/$NAME-int8.onnx \
      --json docs/results/eval-student-${NAME/dense32x4-shrunk/ocr}-screens-call.json ;;
  ocr-files)  # Tesseract on each screen at call (CER and word error): the received frame, the peers,
              # session 54's fine-tune as INT8 and its second QAT run, the 72,000-step twin and the teacher's arm
    arms=($R/dense32x4-shrunk/s54-dense32x4-shrunk{,-seed3}-int8.onnx
      $R/dense32x4-shrunk-72000/s54-dense32x4-shrunk-72000{,-int8}.onnx
      $R/dense32x4-shrunk-72000-teacher/s54-dense32x4-shrunk-72000-teacher{,-int8}.onnx)
    "$B/crispcall" eval --suite call --preset call --sets screens --threads 2 --per-file \
      --method input imdn-rte waifu2x-noise1 espcn fsrcnn "${arms[@]}" \
      --json docs/results/eval-student-s55-ocr-per-file-screens-call.json ;;
  ship) ship_student $OUT $NAME $QAT ;;
  *) echo "usage: $0 shrink|qat|eval|bench|ocr|ocr-files|ship (FT=STEPS: the fine-tune of STEPS; SEED=N: QAT seed N;" \
    "TARGETS=teacher|teacher-s57|teacher-s57-screens: that teacher's outputs as the call (and screen) pairs' targets;" \
    "TARGETS=parent: the outputs of the network cut, on every cache;" \
    "AFTER=STEPS: from session 60's ground-truth fine-tune of STEPS; SCREENS=2: the screen pairs twice in the fine-tune)" >&2; exit 2 ;;
esac
