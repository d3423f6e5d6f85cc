#!/usr/bin/env bash
# Session 59 (issue 15). Session 58 timed session 54's cut with five dense blocks as its INT8
# frame graph alone (48.2 ms at 1080p on two threads, 1.16x the budget file), while `student-int8`
# ran as the runtime runs every shipped file: through its luma twin (student-int8-luma.onnx beside
# it; OpenCV's colour work instead of float passes in the graph). The budget file of commit 69787c2
# had no twin. Here each cut of session 52's arm is timed as it would ship, its luma twin beside its
# frame graph (both INT8, quantized without QAT: the same graphs as trained ones), beside the budget
# file and student-int8, three times in each order (the machine's timings drift from run to run):
#   bash scripts/student-s59.sh cuts-bench
# The cuts: five blocks (12.9 GMAC a 1080p frame; 0.90 of the budget file's time), five blocks of
# 28 channels (10.0; 0.83), four blocks with the arm's 3x3 tail (12.7; 0.85); the shipped four
# blocks are 10.6 (0.78). The first two are fine-tuned as the shipped student's twin was (108,000
# steps on the ground truth, QAT) and scored at `call` beside it (as INT8 34.64 and 34.565 dB; the
# twin 34.545, the shipped student 34.612):
#   CUT=dense32x5 FT=108000 bash scripts/student-s54.sh shrink; ... qat; ... eval
#   CUT=dense28x5 FT=108000 bash scripts/student-s54.sh shrink; ... qat; ... eval
# then the five blocks on the shipped recipe's targets (the teacher's outputs on the call pairs):
#   CUT=dense32x5 FT=108000 TARGETS=teacher bash scripts/student-s54.sh shrink; ... qat; ... eval
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
R=runs/s59
source scripts/pairs.sh
declare -A CUTS=(  # name: crispcall prune's flags
  [dense32x5]="--blocks 5 --tail-kernel 1"
  [dense28x5]="--blocks 5 --tail-kernel 1 --keep 28"
  [dense32x4-t3]="--blocks 4 --tail-kernel 3"
)
source scripts/export-student.sh
mkdir -p $R
case ${1:-} in
  cuts-bench)
    files=()
    for cut in dense32x5 dense28x5 dense32x4-t3; do
      "$B/crispcall" prune --checkpoint $ARM52 --block dense ${CUTS[$cut]} --out $R/$cut.pt
      export_int8_pair $R/$cut.pt $R/$cut-int8.onnx
      files+=($R/$cut-int8.onnx)
    done
    bench_budget s59-cuts student-int8 "${files[@]}" ;;
  *) echo "usage: $0 cuts-bench" >&2; exit 2 ;;
esac
