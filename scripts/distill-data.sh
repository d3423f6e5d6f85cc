#!/usr/bin/env bash
# The pairs and teacher responses that every distillation arm of configs/student-dense32x5-scratch.yaml
# reads (sessions 27-34), made on a fresh machine with the commands of docs/models/teacher.md
# (session 14), student.md (sessions 20, 23 and 33); each step is skipped when its file exists.
# `bash scripts/distill-data.sh draws` makes the caches alone, and two more draws of them (below).
# About 20 minutes on two cores of the Intel Xeon, 50 on the AMD EPYC with two training runs
# beside it (the responses are most of it). Needs ../shared/data/train.
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
# Session 21's RLFN teacher fine-tuned 1,000 steps on pairs without PyAV's darkening (session 37,
# scripts/student-s37.sh teacher), whose responses the student learns; sessions 34-36 used session
# 21's own (git show ef125e1:weights/teacher.pt), which the configs' distill.teacher still names.
TEACHER=docs/models/student-s37/teacher-s37.pt
mkdir -p data runs/s23
[ -f runs/s23/teacher-s21.pt ] || git show ef125e1:weights/teacher.pt > runs/s23/teacher-s21.pt
[ -d data/screens ] || "$B/crispcall" data screens --out data/screens --count 600
cache() {  # output, then the options that make it
  local out=$1
  shift
  [ -f "$out" ] || "$B/crispcall" data cache --train ../shared/data/train "$@" --out "$out" --patch-size 128 \
    --workers 2 --holdout-every 50 --low-resolution
}
draw() {  # the three caches: a name suffix, a divisor of their pair counts, an offset of their seeds
  local suffix=$1 part=$2 seed=$3
  cache "data/pairs-teacher-x2-128$suffix.npz" data/screens --count $((24000 / part)) \
    --config configs/degrade-teacher-x2.yaml --seed "$seed"
  cache "data/pairs-clean-x2-128$suffix.npz" data/screens --count $((6000 / part)) \
    --config configs/degrade-clean-x2.yaml --seed $((seed + 1))
  cache "data/pairs-screens-x2-128$suffix.npz" --count $((8000 / part)) --mix natural:0,faces:0,text/screens:1 \
    --config configs/degrade-teacher-x2.yaml --seed $((seed + 7))
}
draw "" 1 0
if [ "${1:-}" = draws ]; then
  # Session 52: a quarter of the pairs and a second draw as large, from the same images, for the
  # twin's data-scaling arms of scripts/student-web-distill.sh (about 7 minutes more).
  draw -quarter 4 100
  draw -second 1 200
  exit 0
fi
for pairs in teacher clean screens; do
  out=data/pairs-$pairs-x2-128-rlfn-responses.npz
  [ -f $out ] || "$B/crispcall" train responses --teacher $TEACHER --cache data/pairs-$pairs-x2-128.npz --out $out
done
