#!/usr/bin/env bash
# Session 62 (issue 15): the AVX2 default (student-int8-avx2, session 60's mixed cut of the dense
# student) reads the test screens at `call` at a CER of 0.365, IMDN-RTE 0.356, the dense student it
# was cut from 0.318 (it restores a table's double rules that the cut leaves grey: rich_table.png
# 34.5 dB against 29.7). So the cut learns its parent's outputs on every cache (TARGETS=parent of
# scripts/student-s54.sh; the parent's responses take about a minute here), two ways:
#   export ARM1="CUT=mixed32x4 AFTER=24000 FT=24000 TARGETS=parent"  # after session 60's 24,000 steps on
#                                                                    # the ground truth, as session 61's file
#   env $ARM1 PRECISION=float32 bash scripts/student-s54.sh shrink; env $ARM1 bash scripts/student-s54.sh qat
#   env $ARM1 bash scripts/student-s54.sh eval
#   export ARM2="CUT=mixed32x4 FT=48000 TARGETS=parent"              # from the cut, the same 48,000 steps in all
#   env $ARM2 bash scripts/student-s54.sh shrink; ...
#   export TWIN="CUT=mixed32x4 FT=48000"                             # the second's twin on the ground truth
#   env $TWIN bash scripts/student-s54.sh shrink; ...
# then Tesseract on each screen at `call` by both INT8 files beside the received frame, IMDN-RTE and
# the two shipped files, in one run:
#   bash scripts/student-s62.sh ocr-files
# and a run's INT8 graphs checked against the shipped light files' (operators and shapes):
#   bash scripts/student-s62.sh same-graph mixed32x4-shrunk-48000-parent
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
R=runs/s54
case ${1:-} in
  ocr-files)
    arms=()
    for run in mixed32x4-shrunk-24000-then-24000-parent mixed32x4-shrunk-48000-parent; do
      arms+=($R/$run/s54-$run-int8.onnx)
    done
    "$B/crispcall" eval --suite call --preset call --sets screens --threads 2 --per-file \
      --method input imdn-rte student-int8 student-int8-avx2 "${arms[@]}" \
      --json docs/results/eval-student-s62-ocr-per-file-screens-call.json ;;
  same-graph)  # a run's INT8 graphs against the shipped student-int8-avx2 files: the same operators and
               # tensor shapes in the same order, so the same time (session 61 timed them on a CPU with AVX2 alone)
    name=s54-${2:?the run, as mixed32x4-shrunk-48000-parent}
    for graph in "" -luma -i420; do
      "$B/python" - "weights/student-int8-avx2$graph.onnx" "runs/s54/$2/$name-int8$graph.onnx" <<'PY'
import sys

import onnx


def outline(path):
    graph = onnx.load(path).graph
    nodes = [(node.op_type, len(node.input)) for node in graph.node]
    tensors = [(tensor.data_type, tuple(tensor.dims)) for tensor in graph.initializer]
    return nodes, tensors


shipped, run = (outline(path) for path in sys.argv[1:])
if shipped != run:
    sys.exit(f"{sys.argv[2]}: another graph than {sys.argv[1]}")
print(f"{sys.argv[2]}: the graph of {sys.argv[1]} ({len(run[0])} nodes, {len(run[1])} tensors)")
PY
    done ;;
  *) echo "usage: $0 ocr-files|same-graph RUN" >&2; exit 2 ;;
esac
