import cv2
import numpy as np
import pytest

from crispcall.metrics.vmaf import vmaf

pytest.importorskip("imageio_ffmpeg", reason="VMAF needs the vmaf extra")


@pytest.fixture(scope="module")
def clip(astronaut):
    """Eight frames of a slow pan over the face (odd sides: the last column is dropped)."""
    return [np.ascontiguousarray(astronaut[i : i + 160, i : i + 201]) for i in range(0, 16, 2)]


def test_a_clip_against_itself_scores_near_100_and_a_blurred_copy_lower(clip):
    same = vmaf(clip, clip, threads=1)
    assert same["vmaf"] > 97 and same["vmaf_neg"] > 97
    blurred = [cv2.GaussianBlur(frame, (0, 0), 2.0) for frame in clip]
    worse = vmaf(blurred, clip, threads=1)
    assert worse["vmaf"] < same["vmaf"] - 10 and worse["vmaf_neg"] < same["vmaf_neg"] - 10


def test_neg_does_not_reward_plain_sharpening(clip):
    soft = [cv2.GaussianBlur(frame, (0, 0), 1.0) for frame in clip]
    sharpened = [cv2.addWeighted(s, 2.5, cv2.GaussianBlur(s, (0, 0), 2.0), -1.5, 0) for s in soft]
    before, after = vmaf(soft, clip, threads=1), vmaf(sharpened, clip, threads=1)
    assert after["vmaf"] - before["vmaf"] > after["vmaf_neg"] - before["vmaf_neg"]


def test_clips_that_do_not_pair_are_refused(clip):
    with pytest.raises(ValueError, match="same, non-zero length"):
        vmaf(clip[:3], clip)
    with pytest.raises(ValueError, match="one size"):
        vmaf([clip[0][:100]] * len(clip), clip)
