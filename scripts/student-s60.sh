#!/usr/bin/env bash
# Session 60 (issue 15). Issue 15's speed budget on a CPU with AVX2 alone (an AMD EPYC: no AVX-512,
# no VNNI, so other INT8 kernels than the Intel Xeon's with AMX, where sessions 57-59 timed). Each
# file runs as the runtime runs it, its INT8 frame graph with its INT8 luma twin beside it, beside
# the budget file and student-int8, three runs in each order. Session 59's five-block cut on the
# teacher's targets (its committed FP32 weights quantized without QAT: the same graphs as QAT's;
# 0.90 of the budget file's time on the Xeon; 1.48 here):
#   bash scripts/student-s60.sh bench
# The shipped student cut lighter (crispcall prune on weights/student.pt, each changed layer fitted in
# least squares): 28 and 24 channels, 1x1 second convolutions (mixed32x4: 0.74 here):
#   bash scripts/student-s60.sh cuts-bench
# The mixed cut fine-tuned 24,000 steps on the ground truth and QAT'd (as INT8 34.29 dB on every file
# at `call`, the shipped student 34.61):
#   CUT=mixed32x4 FT=24000 PRECISION=float32 bash scripts/student-s54.sh shrink; ... qat; ... eval
# and that file beside five mixed blocks cut from session 52's arm:
#   bash scripts/student-s60.sh mixed-bench
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
R=runs/s60
source scripts/pairs.sh
source scripts/export-student.sh
mkdir -p $R
case ${1:-} in
  bench)
    export_int8_pair docs/models/student-s59/dense32x5-shrunk-108000-teacher-student.pt $R/dense32x5-teacher-int8.onnx
    bench_budget s60-dense32x5 student-int8 $R/dense32x5-teacher-int8.onnx ;;
  cuts-bench)
    declare -A CUTS=([dense28x4]="--keep 28" [dense24x4]="--keep 24" [mixed32x4]="--blocks 4 --block mixed")
    files=()
    for cut in dense28x4 dense24x4 mixed32x4; do
      "$B/crispcall" prune --checkpoint weights/student.pt ${CUTS[$cut]} --out $R/$cut.pt
      export_int8_pair $R/$cut.pt $R/$cut-int8.onnx
      files+=($R/$cut-int8.onnx)
    done
    bench_budget s60-cuts student-int8 "${files[@]}" ;;
  mixed-bench)
    "$B/crispcall" prune --checkpoint $ARM52 --blocks 5 --block mixed --tail-kernel 1 --out $R/mixed32x5.pt
    export_int8_pair $R/mixed32x5.pt $R/mixed32x5-int8.onnx
    bench_budget s60-mixed student-int8 runs/s54/mixed32x4-shrunk-24000/s54-mixed32x4-shrunk-24000-int8.onnx \
      $R/mixed32x5-int8.onnx ;;
  *) echo "usage: $0 bench|cuts-bench|mixed-bench" >&2; exit 2 ;;
esac
