"""Write a weights file for each candidate student body, with random weights, for
scripts/student-shapes.sh to export as INT8 and time (speed does not depend on the weights).

The networks are built fused (plain convolutions), and the tail gets small random weights so
that the correction is not zero and INT8 calibration sees real ranges.
Usage: python scripts/student_shapes.py OUT_DIR NAME=KEY:VALUE,KEY:VALUE ...
"""

import sys
from pathlib import Path

import torch
import yaml

from crispcall.models.io import write_weights
from crispcall.models.student import Student


def main(out_dir: Path, shapes: list[str]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    base = yaml.safe_load(Path("configs/student-calls.yaml").read_text())["model"]
    for shape in shapes:
        name, _, changes = shape.partition("=")
        config = {**base, **{key: yaml.safe_load(value) for key, value in (c.split(":") for c in changes.split(","))}}
        model = Student(**{**config, "rep": False})
        for parameter in model.tail.parameters():
            torch.nn.init.normal_(parameter, std=0.01)
        write_weights(out_dir / f"{name}.pt", "student", model, {"model": model.config})
        print(f"wrote {out_dir / name}.pt")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
