"""The training curve of a run (``log.csv``) as a PNG."""

from __future__ import annotations

import csv
from pathlib import Path

from crispcall.errors import InputError
from crispcall.files import pyplot, save_figure


def plot_log(log_csv: str | Path, out_png: str | Path, title: str = "") -> Path:
    """Training loss and validation PSNR against step, on two axes."""
    plt = pyplot()
    with open(log_csv) as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise InputError(f"{log_csv} has no rows yet")
    steps = [int(r["step"]) for r in rows]
    figure, loss_axis = plt.subplots(figsize=(7, 4), dpi=110)
    loss_axis.plot(steps, [float(r["loss"]) for r in rows], color="tab:blue", label="training loss")
    loss_axis.set_xlabel("step")
    loss_axis.set_ylabel("training loss", color="tab:blue")
    psnr_axis = loss_axis.twinx()
    psnr_axis.plot(steps, [float(r["val_psnr"]) for r in rows], color="tab:red", marker=".", label="val PSNR")
    psnr_axis.set_ylabel("validation PSNR (dB, held-out training images)", color="tab:red")
    loss_axis.set_title(title or Path(log_csv).parent.name)
    figure.tight_layout()
    return save_figure(figure, out_png)
