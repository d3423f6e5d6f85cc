#!/usr/bin/env bash
# Session 56 (issue 15). How much of the teacher's margin over the twin the taught arm keeps.
# The student's targets are weights/teacher.pt's plain outputs (no self-ensemble: the call pairs'
# responses, scripts/pairs.sh's $T40), so its margin is measured on that network as a graph without
# the self-ensemble, beside session 55's two arms at 24,000 and 72,000 steps (FP32; each arm
# beside its twin: same cut, pairs, seed and steps), every file at `call` (about 35 minutes on two
# threads, the teacher's video set most of it):
#   bash scripts/student-s56.sh margin
# and the same networks (the 72,000-step arms), plain and self-ensembled, on the held-out frames of
# the student's config, on 3,000 of the call pairs they learnt from, and on 3,000 call pairs of the
# same images that none of them learnt from, another draw of crops and degradations ($T2; crispcall
# train validate; about 35 minutes, the teacher's self-ensemble on the pairs most of it):
#   bash scripts/student-s56.sh pairs
# On a machine that has not trained the arms, their weights come as committed.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
R=runs/s56
source scripts/pairs.sh
mkdir -p $R
arm_weights() {  # ARM: runs/s54/ARM/student.pt, from where it was committed when this machine lacks it
  local out=runs/s54/$1/student.pt
  [ -f $out ] && return
  mkdir -p runs/s54/$1
  case $1 in
    dense32x4-shrunk) git show f1d0a03:weights/student.pt > $out ;;                  # session 54's ship
    dense32x4-shrunk-24000-teacher) cp docs/models/student-s56/$1-student.pt $out ;;
    dense32x4-shrunk-72000) cp docs/models/student-s54/$1-student.pt $out ;;
    dense32x4-shrunk-72000-teacher) git show 0dba111:weights/student.pt > $out ;;    # session 55's ship
  esac
}
case ${1:-} in
  margin)
    teacher_plain
    arms=()
    for arm in dense32x4-shrunk dense32x4-shrunk-24000-teacher dense32x4-shrunk-72000 dense32x4-shrunk-72000-teacher; do
      arm_weights $arm
      graph=runs/s54/$arm/s54-$arm.onnx
      [ -f $graph ] || "$B/crispcall" export --checkpoint runs/s54/$arm/student.pt --out $graph
      arms+=($graph)
    done
    "$B/crispcall" eval --suite call --preset call --threads 2 --no-ocr --no-flicker \
      --method $TEACHER_PLAIN "${arms[@]}" --json docs/results/eval-student-s56-margin.json ;;
  pairs)
    arm_weights dense32x4-shrunk-72000
    arm_weights dense32x4-shrunk-72000-teacher
    weights=(weights/teacher.pt runs/s54/dense32x4-shrunk-72000{,-teacher}/student.pt)
    "$B/crispcall" train validate --config configs/student-dense32x4-scratch.yaml --weights "${weights[@]}" \
      --self-ensemble --json docs/results/validate-s56-margin-held-out.json
    "$B/crispcall" train validate --config configs/student-dense32x4-scratch.yaml --weights "${weights[@]}" \
      --self-ensemble --set "data.cache=[$T]" --pairs 3000 --json docs/results/validate-s56-margin-pairs.json
    "$B/crispcall" train validate --config configs/student-dense32x4-scratch.yaml --weights "${weights[@]}" \
      --self-ensemble --set "data.cache=[$T2]" --pairs 3000 --json docs/results/validate-s56-margin-pairs-second.json ;;
  *) echo "usage: $0 margin|pairs" >&2; exit 2 ;;
esac
