"""Fitting the models of the answer path from the question sets (`make train`)."""
