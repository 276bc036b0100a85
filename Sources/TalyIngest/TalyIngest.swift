// TalyIngest: the bulk-ingest pipeline (JSONL, CSV) and the index-sync worker that tails the
// store's outbox into each tenant's index. Its dependencies are declared here so the layering
// (TalyIngest → TalyStore / TalyIndex) is fixed from the start; the code arrives with its issue.
import TalyIndex
import TalyStore
