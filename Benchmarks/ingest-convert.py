#!/usr/bin/env python3
"""Turns a slice of ../shared/bench/corpora into `taly ingest` records (JSON Lines on stdout).

  ingest-convert.py products CORPUS.jsonl > products.jsonl   # debian-packages, pypi-catalog
  ingest-convert.py doc CORPUS.jsonl > docs.jsonl            # debian-docs

products: id -> sku (a hash suffix when longer than 64 bytes), title -> title,
body -> description, the facets -> attributes, a zero EUR price, status active.
doc: a slug made from the id, title, body, and the keyword facets of the `doc` type that
Benchmarks/IngestBench creates (source, package, lang, section, path).
Standard library only; records the store would refuse are passed through unchanged so the
run's reject count is honest.
"""
import hashlib
import json
import re
import sys

SKIP = {"id", "title", "body"}


def sku(identifier):
    text = re.sub(r"\s", "_", identifier)
    if len(text) <= 64:
        return text
    return text[:47] + "-" + hashlib.sha1(identifier.encode()).hexdigest()[:16]


def slug(identifier):
    text = re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")[:180].strip("-")
    return (text + "-" if text else "") + hashlib.sha1(identifier.encode()).hexdigest()[:10]


def attribute(value):
    if isinstance(value, list):
        return [v for v in value if isinstance(v, (str, int, float, bool))][:100]
    return value


def convert(kind, doc):
    """One corpus document as the `taly ingest` record of `kind` (products or doc)."""
    if kind == "products":
        attributes = {k: attribute(v) for k, v in doc.items() if k not in SKIP and v is not None}
        return {
            "sku": sku(doc["id"]), "title": doc.get("title", ""), "description": doc.get("body", ""),
            "price": {"amount": 0, "currency": "EUR"}, "attributes": attributes, "status": "active",
        }
    record = {"slug": slug(doc["id"]), "title": doc.get("title", ""), "body": doc.get("body", "")}
    for key in ("source", "package", "lang", "section", "path"):
        if isinstance(doc.get(key), str):
            record[key] = doc[key]
    return record


def main():
    kind, path = sys.argv[1], sys.argv[2]
    out = sys.stdout
    with open(path, encoding="utf-8") as corpus:
        for line in corpus:
            out.write(json.dumps(convert(kind, json.loads(line)), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
