"""Text: paragraph and sentence spans with exact offsets (spans), the words a question and a
passage share (words), and token-aware chunks (chunking)."""
