-- Removes the call queues built for $start and later (the dispatch side's day queue). Returns nothing.
DELETE FROM call_queue WHERE queue_date >= $start;
