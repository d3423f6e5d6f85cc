#!/usr/bin/env bash
# Session 48: the shipped x2 teacher (weights/teacher.onnx, unchanged since session 40) on every file
# at `call`, where its lead on the image sets (+0.65 dB over waifu2x-noise1 in session 40's run,
# eval-teacher-s40-se-call.json, where it is named teacher-l2-se) is smallest against issue 15's
# +0.5. Sessions 38-40 scored it on the image sets only; the peers have every file under the fixed
# conversion (eval-student-s37-every-x2-call.json, eval-peers-s47-x2-call.json). The video set
# first: its 8 flips and rotations take 33 s a megapixel on one thread here, and the 589 frames
# (every tenth of 20 clips, 480x480 to 1280x720) hold 235 megapixels: 70 minutes on two threads.
# Then the image sets under the registry's name, so that the two runs compose every file
# (crispcall.evaluation.table.merge_documents):
#   bash scripts/eval-teacher-s48.sh video
#   bash scripts/eval-teacher-s48.sh images
# The video set at the other two presets the x2 teacher serves, whose image sets session 40 scored
# (eval-teacher-s40-x2.json, eval-teacher-s40-lossy.json; the peers' every-file runs:
# eval-peers-s47-x2-call.json, eval-student-s38-every-poor-lossy.json): `x2` in session 49; `lossy`
# in session 50 without the flicker pairs (--no-flicker: each method runs on the scored frames
# only, half the work; its run with them would have taken about two and a half hours here).
# Arguments after the preset go to crispcall eval.
#   bash scripts/eval-teacher-s48.sh video x2
#   bash scripts/eval-teacher-s48.sh video lossy --no-flicker
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
case ${1:-} in
  video) sets=(video) ;;
  images) sets=(faces screens Set14) ;;
  *) echo "usage: $0 video|images [x2|call|lossy [crispcall eval options]]" >&2; exit 2 ;;
esac
preset=${2:-call}
"$B/crispcall" eval --suite call --sets "${sets[@]}" --preset "$preset" --method teacher --threads 2 \
  --json "docs/results/eval-teacher-s48-$1-$preset.json" "${@:3}"
