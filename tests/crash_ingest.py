"""Run an ingest that a test kills with SIGKILL: ``python tests/crash_ingest.py FOLDER INDEX LOG``.

After each batch of documents is committed, their file names are appended to LOG (flushed and
fsynced), so the test knows which documents had completed when the process died.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.corpus.embeddings import HashEmbedder  # noqa: E402
from agent.corpus.ingest import NullProgress, ingest  # noqa: E402
from agent.corpus.store import Store  # noqa: E402


class LogProgress(NullProgress):
    def __init__(self, log: Path) -> None:
        self.fh = open(log, "a", encoding="utf-8")  # noqa: SIM115 - kept open until killed

    def committed(self, names: list[str]) -> None:
        self.fh.write("".join(f"{n}\n" for n in names))
        self.fh.flush()
        os.fsync(self.fh.fileno())


def main() -> None:
    folder, index, log = (Path(a) for a in sys.argv[1:4])
    store = Store(index, HashEmbedder())
    Path(str(log) + ".started").write_text("1")
    ingest(store, [folder], progress=LogProgress(log))
    Path(str(log) + ".done").write_text("1")


if __name__ == "__main__":
    main()
