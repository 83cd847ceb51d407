"""Translation: machine-translation providers (manual, LibreTranslate, Argos), the background job
that drafts translations of approved answers, machine drafts of consultation content, and the
translators' desk."""
