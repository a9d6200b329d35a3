-- Removes the call queue of local day $as_of before it is rebuilt (returns nothing).
DELETE FROM call_queue WHERE queue_date = $as_of::DATE;
