#!/usr/bin/env bash
# Session 61 (issue 15): a default chosen by the CPU. Where ONNX Runtime's INT8 convolutions have
# AVX2 alone (no VNNI, no AMX), session 57's student-int8 takes 1.23-1.34 times the budget file's
# time at 1080p (session 60); crispcall.methods.models.default_model picks student-int8-avx2 there:
# session 60's mixed cut (four blocks with 1x1 second convolutions, 6.3 GMAC a 1080p frame against
# 10.6) fine-tuned on, 24,000 steps on the shipped teacher's targets, then QAT:
#   export S54="CUT=mixed32x4 AFTER=24000 FT=24000 TARGETS=teacher"
#   env $S54 PRECISION=float32 bash scripts/student-s54.sh shrink   # 30 minutes on two AVX2 threads
#   env $S54 bash scripts/student-s54.sh qat; env $S54 bash scripts/student-s54.sh eval
# then its INT8 graphs (frame, luma and I420) as weights/student-int8-avx2*.onnx, its weights and
# logs in docs/models/student-s61/:
#   bash scripts/student-s61.sh ship
# and session 42's ship-eval on it: every file of the call suite at every preset with OCR, then
# timed at 1080p on two threads beside the budget file and student-int8, three runs each way
# (idle machine):
#   bash scripts/student-s61.sh ship-eval
# The same fine-tune with the screen pairs twice (SCREENS=2 to student-s54.sh; not shipped) kept there:
#   bash scripts/student-s61.sh keep mixed32x4-shrunk-24000-then-24000-teacher-screens2
# Another run of student-s54.sh (RUN, its folder under runs/s54) ships the same way, kept in
# docs/models/student-SESSION/ and its results named after SESSION (session 62 kept its arms so):
#   RUN=... SESSION=sNN bash scripts/student-s61.sh ship; RUN=... SESSION=sNN bash scripts/student-s61.sh ship-eval
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
source scripts/export-student.sh
RUN=${RUN:-mixed32x4-shrunk-24000-then-24000-teacher}  # the student-s54.sh run (its folder under runs/s54)
SESSION=${SESSION:-s61}
OUT=runs/s54/$RUN
NAME=s54-$RUN
KEPT=docs/models/student-$SESSION
# A run of student-s54.sh kept in $KEPT: the fine-tune's and its QAT's weights, CSV logs and output.
keep() {  # RUN
  local run
  mkdir -p $KEPT
  for run in $1 $1-qat; do
    cp "runs/s54/$run/student.pt" "$KEPT/$run-student.pt"
    cp "runs/s54/$run/log.csv" "$KEPT/$run-log.csv"
    cp "runs/s54/$run.log" "$KEPT/$run-stdout.log"
  done
}
case ${1:-} in
  keep) keep "$2" ;;
  ship)
    for graph in "" -luma -i420; do cp "$OUT/$NAME-int8$graph.onnx" "weights/student-int8-avx2$graph.onnx"; done
    keep $RUN ;;
  ship-eval)
    "$B/crispcall" eval --suite call --preset x2 call poor lossy --threads 2 --method student-int8-avx2 \
      --json docs/results/eval-student-int8-avx2-$SESSION.json
    bench_budget $SESSION-avx2 student-int8-avx2 student-int8 ;;
  *) echo "usage: $0 ship|ship-eval|keep RUN" >&2; exit 2 ;;
esac
