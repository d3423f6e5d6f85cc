import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="session")
def study_clips(tmp_path_factory):
    """A stimulus set built by make-clips from a tiny generated test folder: one clip and one
    image per set, every condition."""
    from crispcall.runtime.video import encode_clip
    from crispcall.study.clips import make_clips

    skimage_data = pytest.importorskip("skimage.data")
    root = tmp_path_factory.mktemp("study")
    data = root / "test"
    face = skimage_data.astronaut()[0:96, 160:256]
    sources = {"faces": face, "screens": skimage_data.text()[:96, :128], "BSD100": skimage_data.coffee()[:96, :128]}
    for set_name, image in sources.items():
        (data / set_name).mkdir(parents=True)
        rgb = np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image
        Image.fromarray(np.ascontiguousarray(rgb)).save(data / set_name / f"{set_name}_1.png")
    (data / "video" / "talk").mkdir(parents=True)
    frames = [np.ascontiguousarray(np.roll(face, 2 * i, axis=1)) for i in range(12)]
    encode_clip(data / "video" / "talk" / "talk.mp4", frames, 12)
    make_clips(data, root / "clips", per_set=1, seconds=0.5, progress=False)
    return root / "clips"


def running_study(clips, db, seed=0, mode="acr"):
    """The study app on a free localhost port in a thread; yields its base URL (no slash)."""
    from werkzeug.serving import make_server

    from crispcall.study.app import create_app
    from crispcall.web.server import in_background

    return in_background(make_server("127.0.0.1", 0, create_app(clips, db, seed, mode), threaded=True))


@pytest.fixture
def study_server(study_clips, tmp_path):
    with running_study(study_clips, tmp_path / "study.sqlite") as base:
        yield base
