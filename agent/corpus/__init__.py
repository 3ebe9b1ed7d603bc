"""Corpus and retrieval: documents, their metadata and chunks, embeddings, BM25, the index, search.

Owns the bundled corpus manifest and document metadata (``meta``), chunking, the embedders, the
BM25 index, the chroma store with its sqlite registry, ingest, and hybrid retrieval.
May import ``agent.report`` (to read and split documents) and the shared plumbing.
"""
