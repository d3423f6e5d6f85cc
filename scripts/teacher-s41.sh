#!/usr/bin/env bash
# Session 41 (issue 15: the teacher at `poor`). The x3 twin (weights/teacher-x3.*, session 30-31)
# learnt on pairs made before session 37 fixed the RGB conversion that darkened every coded frame
# by about 1.2 levels, and its every-file figure at `poor` (+0.505 over IMDN-RTE) was measured
# under that conversion too; under the fixed one the best peer at `poor` is waifu2x-noise1 (28.445
# dB, eval-student-s38-every-poor-lossy.json). So: fresh x3 pairs under the fixed conversion
# (twice session 30's count, another seed) and the shipped twin fine-tuned on them on squared
# error, at session 30's rate (configs/teacher-rlfn-x3-direct-l2.yaml):
#   bash scripts/teacher-s41.sh x3-data      # 24,000 x3 pairs (about 3 min)
#   bash scripts/teacher-s41.sh x3-l2        # 3,000 steps from the shipped twin (about 35 min); stopped at
#                                            # 2,000 (validation flat from 500), its checkpoint committed as
#                                            # docs/models/teacher-s41/x3-l2-checkpoint.pt
#   bash scripts/teacher-s41.sh x3-weights   # the checkpoint's EMA weights (the run's teacher.pt)
#   bash scripts/teacher-s41.sh x3-validate  # both on the config's validation frames, self-ensembled
#   bash scripts/teacher-s41.sh x3-images    # both self-ensembled on every file of the image sets at
#                                            # poor, beside the peers (about 20 min)
#   cp runs/s41/x3-l2/teacher.pt weights/teacher-x3.pt; cp runs/s41/teacher-x3-l2-se.onnx weights/teacher-x3.onnx
#   bash scripts/teacher-s41.sh x3-video N   # the shipped one (the teacher method at poor) on the first N clips,
#                                            # beside the peers (every clip: 33 min here in session 44)
# The fine-tuned twin leads waifu2x-noise1 by 0.45 dB on the image sets at poor (+0.5 asked). The
# shipped x2 teacher's output resized to x3 (as an x2 network runs at a x3 preset) is 0.16 dB below
# it on the first 4 files a set, too far below for an ensemble:
#   bash scripts/teacher-s41.sh x2-route
# So a second x3 network trained apart, for an ensemble of the two (issue 15 allows one): the
# shipped x2 teacher's RLFN (the network behind its repair) rescaled to x3, on the same pairs and loss:
#   bash scripts/teacher-s41.sh x3b          # rescale, then 3,000 steps at 1e-4 (about 36 min)
#   bash scripts/teacher-s41.sh x3-ensemble  # the two as one teacher, self-ensembled, beside the first on
#                                            # the first 4 files of the image sets at poor
# Session 44: RLFN's attention pools its features with stride 6 in all, so on the twin's 44-pixel
# training patches it sees a 5 x 5 grid where a frame gives it 70 x 38. The twin fine-tuned on
# patches of 96 received pixels, validated on 128-pixel crops (stopped at 750 steps: flat):
#   bash scripts/teacher-s41.sh x3-p288-data   # 6,000 x3 pairs of 288 px (30 s)
#   bash scripts/teacher-s41.sh x3-p288        # 2,000 steps of batch 4 from the shipped twin (about 19 min)
#   bash scripts/teacher-s41.sh x3-p288-validate
set -euo pipefail
B=${CRISPCALL_BIN:-.venv/bin}
R=runs/s41
X3=data/pairs-teacher-x3-132-s41.npz
P288=data/pairs-teacher-x3-288-s44.npz
case ${1:-} in
  x3-data)
    "$B/crispcall" data cache --train ../shared/data/train data/screens --out $X3 --count 24000 --patch-size 132 \
      --workers 2 --holdout-every 50 --config configs/degrade-teacher-x3.yaml --low-resolution --seed 41 ;;
  x3-l2)
    mkdir -p $R
    "$B/crispcall" train teacher --config configs/teacher-rlfn-x3-direct-l2.yaml --out $R/x3-l2 \
      --set data.cache=$X3 --set train.init=weights/teacher-x3.pt --set train.steps=3000 --set train.seed=41 \
      --set train.val_every=500 >> $R/x3-l2.log 2>&1 ;;
  x3-weights)
    "$B/crispcall" train checkpoint-weights --checkpoint $R/x3-l2/checkpoint.pt --out $R/x3-l2/teacher.pt --arch teacher ;;
  x3-validate)
    "$B/crispcall" train validate --weights weights/teacher-x3.pt $R/x3-l2/teacher.pt \
      --config configs/teacher-rlfn-x3-direct-l2.yaml --self-ensemble --json docs/results/validate-teacher-s41-x3.json ;;
  x3-images)
    [ -f $R/teacher-x3-l2-se.onnx ] ||
      "$B/crispcall" export --checkpoint $R/x3-l2/teacher.pt --out $R/teacher-x3-l2-se.onnx --self-ensemble
    "$B/crispcall" eval --suite call --sets faces screens Set14 --preset poor --threads 2 --no-ocr \
      --method input imdn-rte waifu2x-noise1 teacher $R/teacher-x3-l2-se.onnx --json docs/results/eval-teacher-s41-x3-images.json ;;
  x2-route)  # the shipped x2 teacher's file under another name, so the method finds no x3 twin beside it
    cp weights/teacher.onnx $R/teacher-x2route-se.onnx
    "$B/crispcall" eval --suite call --sets faces screens Set14 --preset poor --threads 2 --no-ocr --limit 4 \
      --method $R/teacher-x2route-se.onnx $R/teacher-x3-l2-se.onnx --json docs/results/eval-teacher-s41-x2route-limit4.json ;;
  x3b)
    mkdir -p $R
    [ -f $R/teacher-x3b-init.pt ] || "$B/crispcall" train rescale --weights weights/teacher.pt --out $R/teacher-x3b-init.pt
    "$B/crispcall" train teacher --config configs/teacher-rlfn-x3-direct-l2.yaml --out $R/x3b \
      --set data.cache=$X3 --set train.init=$R/teacher-x3b-init.pt --set train.steps=3000 --set train.lr=1e-4 \
      --set train.seed=42 --set train.val_every=500 >> $R/x3b.log 2>&1 ;;
  x3-ensemble)
    "$B/crispcall" train validate --weights $R/x3b/teacher.pt --config configs/teacher-rlfn-x3-direct-l2.yaml \
      --self-ensemble --json docs/results/validate-teacher-s41-x3b.json
    "$B/crispcall" train ensemble --weights $R/x3-l2/teacher.pt $R/x3b/teacher.pt --out $R/teacher-x3-ensemble.pt
    "$B/crispcall" export --checkpoint $R/teacher-x3-ensemble.pt --out $R/teacher-x3-ensemble-se.onnx --self-ensemble
    "$B/crispcall" eval --suite call --sets faces screens Set14 --preset poor --threads 2 --no-ocr --limit 4 \
      --method $R/teacher-x3-l2-se.onnx $R/teacher-x3-ensemble-se.onnx --json docs/results/eval-teacher-s41-x3-ensemble-limit4.json ;;
  x3-video)
    clips=${2:?how many clips, as 4}
    "$B/crispcall" eval --suite call --sets video --preset poor --threads 2 --no-ocr --limit "$clips" \
      --method input imdn-rte waifu2x-noise1 teacher --json docs/results/eval-teacher-s41-x3-video-$clips.json ;;
  x3-p288-data)
    "$B/crispcall" data cache --train ../shared/data/train data/screens --out $P288 --count 6000 --patch-size 288 \
      --workers 2 --holdout-every 50 --config configs/degrade-teacher-x3.yaml --low-resolution --seed 44 ;;
  x3-p288)
    mkdir -p runs/s44
    "$B/crispcall" train teacher --config configs/teacher-rlfn-x3-direct-l2.yaml --out runs/s44/x3-p288 \
      --set data.cache=$P288 --set train.init=weights/teacher-x3.pt --set train.steps=2000 --set train.batch_size=4 \
      --set train.seed=44 --set train.val_every=250 --set data.val_crop=384 >> runs/s44/x3-p288.log 2>&1 ;;
  x3-p288-validate)
    "$B/crispcall" train checkpoint-weights --checkpoint runs/s44/x3-p288/checkpoint.pt --out runs/s44/x3-p288/teacher.pt \
      --arch teacher
    "$B/crispcall" train validate --weights weights/teacher-x3.pt runs/s44/x3-p288/teacher.pt \
      --config configs/teacher-rlfn-x3-direct-l2.yaml --set data.val_crop=384 --json docs/results/validate-teacher-s44-x3-p288.json ;;
  *) echo "usage: $0 x3-data|x3-l2|x3-weights|x3-validate|x3-images|x2-route|x3b|x3-ensemble|x3-video N|x3-p288-data|x3-p288|x3-p288-validate" >&2
    exit 2 ;;
esac
