#!/usr/bin/env bash
# Session 60 (issue 15). Session 59's five-block cut on the teacher's targets (as INT8 34.715 dB on
# every file at `call`, its ground-truth twin 34.640, the shipped student 34.612; 0.90 of the budget
# file's time at 1080p on two threads of the Intel Xeon with AMX, before QAT) made again on a
# machine that has not trained it: its committed FP32 weights, the teacher's responses where
# missing (crispcall train responses), session 43's QAT and every export:
#   bash scripts/student-s60.sh qat
# then its INT8 frame graph (with its luma twin, as the runtime runs it) timed beside the budget file
# and student-int8, three runs in each order, on this machine (an AMD EPYC with AVX2 alone: no
# AVX-512, no VNNI, so other INT8 kernels than the Xeon's):
#   bash scripts/student-s60.sh bench
# It ships only inside the budget:
#   CUT=dense32x5 FT=108000 TARGETS=teacher bash scripts/student-s54.sh ship; bash scripts/student-s39.sh ship-eval s60
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
export CUT=dense32x5 FT=108000 TARGETS=teacher
OUT=runs/s54/dense32x5-shrunk-108000-teacher
NAME=s54-dense32x5-shrunk-108000-teacher
source scripts/export-student.sh
case ${1:-} in
  qat)
    if [ ! -f $OUT/student.pt ]; then  # its weights as committed
      mkdir -p $OUT
      cp docs/models/student-s59/dense32x5-shrunk-108000-teacher-student.pt $OUT/student.pt
    fi
    bash scripts/student-s54.sh qat
    export_student $OUT $NAME ;;
  bench) bench_budget s60-dense32x5 student-int8 $OUT/$NAME-int8.onnx ;;
  *) echo "usage: $0 qat|bench" >&2; exit 2 ;;
esac
