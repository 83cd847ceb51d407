"""What organisers take away and what participants see afterwards (issue 11, items 6 and 7).

- `export_rows`, `exports`, `spreadsheet`: the approved answers as CSV, XLSX and JSON, streamed in
  batches; the full export with the original texts for admins.
- `operations`: writing "what we heard" and "what we will do", reviewing their translations,
  recording exports, publishing (closed -> published).
- `translation`: machine drafts of the outcomes in every interface language.
- `queries`: what the outcome page and the public results page read.
- `views` (staff blueprint `outcomes`) and `results` (public blueprint `results`).
"""
