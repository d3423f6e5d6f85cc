"""Knowledge distillation of the student from the frozen teacher."""
