"""Answer: question → passages → answer. The Searcher façade (searcher) over the stages: the
question read (question, kinds), candidates fused and folded (retrieve), sentences and passages
read and re-ranked (read), "not found" (not_found); every fitted constant in one file (tuned);
the JSON records (records)."""
