"""Training: configs, losses and the training loop shared by the teacher and the student."""
