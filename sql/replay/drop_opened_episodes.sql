-- Removes the delinquency episodes opened on $start or later (opened_on is the day after the
-- oldest unpaid due date: an episode the plan of $start or later opened). Returns nothing.
DELETE FROM delinquency_episodes WHERE opened_on >= $start;
