#!/usr/bin/env bash
# A fine-tune of the shipped student from configs/NAME.yaml, then QAT on the same caches and
# targets, every export the runtime and the page use (scripts/export-student.sh), and the limit-4
# eval beside the shipped files (`student`, `student-int8`) into JSON. QAT_CONFIG names another QAT
# config than configs/student-qat.yaml.
#   bash scripts/student-finetune.sh student-dense32x4-screens docs/results/eval-student-screens-limit4.json
# The configs' train.init is session 20's weights and their distill.teacher session 21's RLFN
# teacher, as git keeps them.
set -euo pipefail
NAME=$1
JSON=$2
B=${CRISPCALL_BIN:-.venv/bin}
source scripts/export-student.sh
THREADS=${THREADS:-2}
OUT=runs/$NAME
mkdir -p runs/s21 runs/s23
git show f714e48:weights/student.pt > runs/s21/student-s20.pt
git show ef125e1:weights/teacher.pt > runs/s23/teacher-s21.pt
"$B/crispcall" train student --config configs/$NAME.yaml --out $OUT --set train.threads="$THREADS"
field() { "$B/python" -c "import sys, yaml; c = yaml.safe_load(open(sys.argv[1])); print(c[sys.argv[2]][sys.argv[3]])" \
  configs/$NAME.yaml "$@"; }
MIX=(--set "data.cache=$(field data cache)" --set "distill.responses=$(field distill responses)"
     --set "distill.teacher=$(field distill teacher)" --set train.threads="$THREADS")
"$B/crispcall" train student --config "${QAT_CONFIG:-configs/student-qat.yaml}" --out $OUT-qat --set train.init=$OUT/student.pt "${MIX[@]}"
export_student $OUT $NAME
"$B/crispcall" eval --suite call --preset x2 call poor lossy --method $OUT/$NAME.onnx $OUT/$NAME-int8.onnx \
  student student-int8 --threads "$THREADS" --limit 4 --no-ocr --json "$JSON"
