#!/usr/bin/env bash
# Every export the runtime and the page use, of one trained student: OUT/student.pt as FP32 and
# OUT-qat/student.pt (or a QAT folder given third) as INT8, each as the frame graph and its luma
# and I420 twins, written to OUT/NAME{,-int8}{,-luma,-i420}.onnx; the shipped student's TFLite
# twins; both made the shipped student; an untrained file's INT8 pair; issue 15's speed budget
# file, and files timed beside it.
# Sourced by the student scripts after $B is set:
#   export_student runs/student-dense32x4-rlfn-x2 student-dense32x4-rlfn-x2
#   export_shipped_tflite
#   ship_student runs/student-dense32x4-rlfn-x2 student-dense32x4-rlfn-x2
export_student() {  # OUT NAME [QAT]: QAT, the folder of the QAT run, defaults to OUT-qat
  local out=$1 name=$2 qat=${3:-$1-qat} graph flag
  for graph in "" -luma -i420; do
    flag=${graph:+--${graph#-}}
    "$B/crispcall" export --checkpoint "$out/student.pt" --out "$out/$name$graph.onnx" $flag
    "$B/crispcall" export --checkpoint "$qat/student.pt" --out "$out/$name-int8$graph.onnx" $flag --int8 \
      --calibration ../shared/data/train data/screens
  done
}

# The TFLite twins of the shipped student at 1920x1080: FP32 from weights/student.pt, INT8 (PT2E)
# from its QAT weights, weights/student-qat.pt.
export_shipped_tflite() {
  "$B/crispcall" export --checkpoint weights/student.pt --out weights/student.tflite --format tflite
  "$B/crispcall" export --checkpoint weights/student-qat.pt --out weights/student-int8.tflite --format tflite --int8 \
    --calibration ../shared/data/train data/screens
}

# WEIGHTS as the INT8 frame graph OUT and its luma twin beside it, quantized without QAT (the same
# graphs as a QAT'd file's: what a timing needs of weights that are not trained yet).
export_int8_pair() {  # WEIGHTS OUT
  local graph
  for graph in "" --luma; do
    "$B/crispcall" export --checkpoint "$1" --out "${2%.onnx}${graph:+-luma}.onnx" $graph --int8 \
      --calibration ../shared/data/train data/screens
  done
}

# Issue 15's speed budget: the INT8 student of commit 69787c2, written to $BUDGET.
BUDGET=runs/budget-69787c2-int8.onnx
budget_file() {
  mkdir -p runs
  git show 69787c2:weights/student-int8.onnx > $BUDGET
}

# FILES timed at 1920x1080 on two threads over FRAMES frames, in the order given and then reversed,
# into STEM.json and STEM-reversed.json.
bench_both_orders() {  # STEM FRAMES FILE...
  local stem=$1 frames=$2 reversed
  shift 2
  mapfile -t reversed < <(printf '%s\n' "$@" | tac)
  "$B/crispcall" bench --size 1920x1080 --threads 2 --frames "$frames" --method "$@" --json "$stem.json"
  "$B/crispcall" bench --size 1920x1080 --threads 2 --frames "$frames" --method "${reversed[@]}" --json "$stem-reversed.json"
}

# FILES timed beside the budget file in both orders, RUNS times (3; the machine's timings drift
# from run to run), into docs/results/bench-TAG-1080p-2threads-RUN{,-reversed}.json.
bench_budget() {  # TAG FILE...
  local tag=$1 run
  shift
  budget_file
  for run in $(seq "${RUNS:-3}"); do
    bench_both_orders docs/results/bench-$tag-1080p-2threads-$run 60 $BUDGET "$@"
  done
}

# OUT's weights and export_student's files of them as the shipped student (weights/student*), then
# its TFLite twins.
ship_student() {  # OUT NAME [QAT], as export_student
  local out=$1 name=$2 qat=${3:-$1-qat} graph
  cp "$out/student.pt" weights/student.pt
  cp "$qat/student.pt" weights/student-qat.pt
  for graph in "" -luma -i420; do
    cp "$out/$name$graph.onnx" "weights/student$graph.onnx"
    cp "$out/$name-int8$graph.onnx" "weights/student-int8$graph.onnx"
  done
  export_shipped_tflite
}
