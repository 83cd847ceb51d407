"""Themes with quotes (issue 11, item 4): what the approved answers to a recommendation talk about.

- `extract`: the algorithm, plain Python (scikit-learn), no Flask, no database.
- `inputs`: which text of each approved answer goes in (working-language translation, else the
  public original) and the input's fingerprint.
- `operations`: recomputation (a background job) and the organisers' edits, kept across recomputes.
- `queries`: what the dashboard and the report read (never computes).
- `tallies`: the themes' kept counts per dashboard filter combination, kept in the transaction of
  a run, an edit, a deletion or the purge.
- `views`: the organisers' pages at /staff/c/<slug>/themes/<recommendation id>.
"""
