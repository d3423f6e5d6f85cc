#!/usr/bin/env bash
# The pair caches of scripts/distill-data.sh and the targets the student scripts since session 53
# train on, in one place. Sourced:
#   source scripts/pairs.sh
T=data/pairs-teacher-x2-128.npz          # the call pairs (photographs, faces, text) under the teacher's degradations
C=data/pairs-clean-x2-128.npz            # clean x2 pairs
S=data/pairs-screens-x2-128.npz          # screen pairs
S2=data/pairs-screens-x2-128-second.npz  # the second draw's 8,000 screen pairs (distill-data.sh draws)
T2=data/pairs-teacher-x2-128-second.npz  # the second draw's 24,000 call pairs: the same images, other crops and losses
T40=data/pairs-teacher-x2-128-t40-responses.npz  # weights/teacher.pt's outputs on $T (crispcall train responses)
TEACHER_PLAIN=runs/s56/teacher-plain.onnx  # weights/teacher.pt as a graph without its self-ensemble: the network whose outputs $T40 holds
ARM52=docs/models/student-s54/dense32x5-scratch-gt-l1-screens-student.pt  # session 52's gt-l1-screens arm, which the students since session 54 are cut from
# L1 to the ground truth alone: no teacher's targets, no SSIM or edge terms
GROUND_TRUTH_L1=(--set distill.response=0 --set distill.responses=null --set loss.ssim=0 --set loss.gradient=0)
# CACHES (a YAML list's items) each learning its responses file in the caller's RESPONSES map
# (declare -A RESPONSES=([cache]=responses ...)) and the others their ground truth, on L1 alone,
# as --set flags into TARGET_SETTINGS; with RESPONSES empty, GROUND_TRUTH_L1.
targets() {
  if [ ${#RESPONSES[@]} = 0 ]; then TARGET_SETTINGS=("${GROUND_TRUTH_L1[@]}"); return; fi
  local cache caches responses=()
  IFS=', ' read -ra caches <<< "$1"
  for cache in "${caches[@]}"; do responses+=(${RESPONSES[$cache]:-clean}); done
  TARGET_SETTINGS=(--set loss.l1=0 --set loss.ssim=0 --set loss.gradient=0 --set distill.response=1
    --set "distill.responses=[$(IFS=,; echo "${responses[*]}")]")
}
# $TEACHER_PLAIN, exported where missing (the caller sets $B).
teacher_plain() {
  [ -f $TEACHER_PLAIN ] || "$B/crispcall" export --checkpoint weights/teacher.pt --out $TEACHER_PLAIN
}
