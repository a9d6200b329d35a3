-- experiment_member_events (temp table): per member of experiment_members (members.sql first), how
-- many opt-out, complaint and dispute events (borrower_events; a reply classified as one is recorded
-- as that kind) they had from their assignment day to $as_of, both on their own local clock. One row
-- per member, zeros included: borrower_id, arm, opt_outs, complaints, disputes. The guardrails and
-- the readout both read it, so both count the same events. Returns nothing.
CREATE OR REPLACE TEMP TABLE experiment_member_events AS
SELECT m.borrower_id, m.arm,
       count(e.event_id) FILTER (WHERE e.kind = 'opt_out') AS opt_outs,
       count(e.event_id) FILTER (WHERE e.kind = 'complaint') AS complaints,
       count(e.event_id) FILTER (WHERE e.kind = 'dispute') AS disputes
FROM experiment_members AS m
LEFT JOIN borrower_events AS e
  ON e.borrower_id = m.borrower_id
 AND e.kind IN ('opt_out', 'complaint', 'dispute')
 AND timezone(m.timezone, e.occurred_at)::DATE BETWEEN m.assigned_on AND $as_of::DATE
GROUP BY m.borrower_id, m.arm;
