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
# L1 to the ground truth alone: no teacher's targets, no SSIM or edge terms
GROUND_TRUTH_L1=(--set distill.response=0 --set distill.responses=null --set loss.ssim=0 --set loss.gradient=0)
