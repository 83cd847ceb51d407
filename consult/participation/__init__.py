"""The participant journey: consent, one page per recommendation, about you, review, receipt.

`operations` decides (drafts, answers, submission, receipts, deletion), `views` orchestrates the
pages of the `/<lang>/` blueprint, `forms` and `session_state` serve the views.
"""
