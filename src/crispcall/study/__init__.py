"""A blind viewer study (ITU-T P.910 ACR, and pair comparison): the stimulus set, the rating
app with its SQLite store, and the analysis (MOS, confidence intervals, rater screening)."""
