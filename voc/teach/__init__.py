"""Teach voc: reviewers' labels in and out, adapted models from them, and rescoring the store."""
