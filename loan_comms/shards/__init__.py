"""A book in K shards, planned in parallel (issue 17, "Scale out"); docs/scaling.md.

The shard key keeps every borrower who shares a phone or an e-mail in one shard (key.py); the book
is split into K DuckDB files with a manifest (split.py); the shards read back as one book for the
audit, the reports and the day's global steps (union.py); the day runs as map -> reduce -> map,
the human work (agents' capacity and slots) assigned once over every shard (run.py, driven on
Dask by flows/sharded_plan.py); each shard dispatches its own outbox (dispatch.py).
"""

from loan_comms.shards.key import KEY_VERSION, KeyReport, compute_key, shard_of
from loan_comms.shards.manifest import MANIFEST, Manifest, ShardError, read_manifest
from loan_comms.shards.run import (Assigned, ShardDecided, ShardHumanWork, ShardMismatch, assign_shards,
                                   decide_shard, plan_shard)
from loan_comms.shards.split import GLOBAL_TABLES, TABLE_OWNERS, split_book
from loan_comms.shards.union import open_union, union

__all__ = ["Assigned", "GLOBAL_TABLES", "KEY_VERSION", "KeyReport", "MANIFEST", "Manifest", "ShardDecided",
           "ShardError", "ShardHumanWork", "ShardMismatch", "TABLE_OWNERS", "assign_shards", "compute_key",
           "decide_shard", "open_union", "plan_shard", "read_manifest", "shard_of", "split_book", "union"]
