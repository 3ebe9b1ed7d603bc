"""Prompt templates (data files), installed as agent/prompts."""
