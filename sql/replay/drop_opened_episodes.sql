-- Removes the delinquency episodes opened on $start or later (opened_on is the day after the
-- oldest unpaid due date: an episode the plan of $start or later opened), and every episode when no
-- day before $start was planned ($previous NULL: all of them were opened by the replayed plans, even
-- those dated before $start, for loans already overdue on the book's first day). Returns nothing.
DELETE FROM delinquency_episodes WHERE opened_on >= $start OR $previous::DATE IS NULL;
