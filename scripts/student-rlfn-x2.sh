#!/usr/bin/env bash
# Session 21's student: session 20's shipped weights (32 x 4, commit f714e48) fine-tuned for 4,000
# steps on the RLFN teacher's targets (scripts/teacher-rlfn-x2.sh) beside the clean x2 pairs with
# their own ground truth (configs/student-dense32x4-rlfn-x2.yaml), QAT on the same mix, every
# export the runtime and the page use, and the limit-4 eval beside session 20's student.
# Needs data/pairs-teacher-x2-128.npz, data/pairs-teacher-x2-128-rlfn-responses.npz and
# data/pairs-clean-x2-128.npz (scripts/student-clean-x2.sh makes it). About 20 minutes on two threads.
set -euo pipefail
exec bash scripts/student-finetune.sh student-dense32x4-rlfn-x2 docs/results/eval-student-rlfn-x2-limit4.json
