-- Removes the options of the plan offers the contacts of $start and later carried (derived by the
-- plan's record). Before drop_arrangement_offers.sql, which it reads. Returns nothing.
DELETE FROM arrangement_offer_options
WHERE token IN (SELECT token FROM arrangement_offers WHERE attempt_id IN (SELECT attempt_id FROM replay_dropped));
