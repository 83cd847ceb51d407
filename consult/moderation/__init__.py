"""Moderation of written answers: the queue, the decisions, and safeguarding."""
