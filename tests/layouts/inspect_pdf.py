#!/usr/bin/env python3
"""Dump what pdfplumber makes of a PDF: page.extract_text() and page.extract_tables().

    python inspect_pdf.py FILE.pdf [FILE.pdf ...] [--pages 3-5] [--no-text] [--no-tables]

Needs pdfplumber only.  Used to write README.md beside this file; run it on a fixture
before relying on a statement there.
"""
import argparse
import sys

try:
    import pdfplumber
except ImportError:
    sys.exit("inspect_pdf.py: pip install pdfplumber")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="+")
    ap.add_argument("--pages", help="e.g. 4 or 3-5 (1-based)")
    ap.add_argument("--no-text", action="store_true")
    ap.add_argument("--no-tables", action="store_true")
    a = ap.parse_args(argv)
    lo, hi = 1, 10 ** 6
    if a.pages:
        parts = a.pages.split("-")
        lo, hi = int(parts[0]), int(parts[-1])
    for path in a.pdfs:
        with pdfplumber.open(path) as pdf:
            print(f"##### {path}: {len(pdf.pages)} pages")
            for i, page in enumerate(pdf.pages, 1):
                if not lo <= i <= hi:
                    continue
                print(f"===== page {i}")
                if not a.no_text:
                    print(page.extract_text())
                if not a.no_tables:
                    for j, t in enumerate(page.extract_tables()):
                        print(f"--- table {j}: {len(t)} rows x {max(len(r) for r in t)} cols")
                        for r in t:
                            print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
