"""Passage indexes: dense (MiniLM in faiss), sparse (BM25), and their fusion."""
