#!/usr/bin/env bash
# INT8 and the deployment formats of the shipped student (issue 6):
#  - PTQ: ONNX Runtime static QDQ calibration of weights/student.pt on degraded training frames;
#  - QAT: fake-quant fine-tuning (configs/student-qat.yaml), then the same calibration;
#  - TFLite twins of the FP32 and QAT students.
# Score the result with crispcall eval (docs/models/student.md gives the commands).
# Needs weights/student.pt, weights/teacher.pt (QAT distils), the pair cache and responses of
# configs/student-qat.yaml and the training folders.
# Run from the repository root: bash scripts/student-int8.sh   (about 5 min on 2 cores)
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
source scripts/export-student.sh
CALIBRATION=(../shared/data/train data/screens)
mkdir -p runs/int8
"$B/crispcall" export --checkpoint weights/student.pt --out runs/int8/student-ptq.onnx --int8 \
  --calibration "${CALIBRATION[@]}"
rm -rf runs/student-qat  # a fresh fine-tuning of the current weights/student.pt
"$B/crispcall" train student --config configs/student-qat.yaml --out runs/student-qat > runs/student-qat.log 2>&1
# QAT keeps FP32's quality best (docs/models/student.md): it is the shipped INT8 student.
cp runs/student-qat/student.pt weights/student-qat.pt
"$B/crispcall" export --checkpoint weights/student-qat.pt --out weights/student-int8.onnx --int8 \
  --calibration "${CALIBRATION[@]}"
export_shipped_tflite
