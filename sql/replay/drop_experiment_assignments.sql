-- Removes the experiment assignments made by the plans of $start and later (experiment_assignments.
-- assigned_on): the replay's plans draw them again, from the same salted hash, or under the replayed
-- config's experiments. Earlier assignments stay as recorded, and so do the arms a guardrail stopped
-- (experiment_arms, with the assignments they closed): a stop is an operational decision on the
-- record, like an operator's event, so the replayed days honour it as the recorded ones did.
-- Returns nothing.
DELETE FROM experiment_assignments WHERE assigned_on >= $start::DATE;
