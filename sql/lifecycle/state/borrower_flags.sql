-- borrower_flags: what each borrower has told us as of $now, for every loan of theirs:
-- channels opted out, cease-contact, and the local day of the last conversation (reached call).
-- Later events override earlier ones of the same pair (opt_out/opt_in, cease/revoked).
CREATE OR REPLACE TEMP TABLE borrower_flags AS
WITH ev AS (
    SELECT e.borrower_id, e.kind, e.channel, e.occurred_at, e.detail, b.timezone
    FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
    WHERE e.occurred_at <= $now
      AND e.kind IN ('opt_out', 'opt_in', 'cease_contact', 'cease_contact_revoked', 'call_outcome')
),
optout AS (
    SELECT borrower_id, list(channel) FILTER (WHERE last_kind = 'opt_out') AS opted_out_channels
    FROM (SELECT borrower_id, channel, arg_max(kind, occurred_at) AS last_kind
          FROM ev WHERE kind IN ('opt_out', 'opt_in') GROUP BY borrower_id, channel)
    GROUP BY borrower_id
),
cease AS (
    SELECT borrower_id, arg_max(kind, occurred_at) = 'cease_contact' AS cease_active
    FROM ev WHERE kind IN ('cease_contact', 'cease_contact_revoked') GROUP BY borrower_id
),
conversation AS (
    SELECT borrower_id, max(timezone(timezone, occurred_at)::DATE) AS last_conversation_day
    FROM ev
    WHERE kind = 'call_outcome'
      AND json_extract_string(detail, '$.outcome') IN ('reached', 'promise_to_pay')
    GROUP BY borrower_id
)
SELECT borrower_id,
       coalesce(o.opted_out_channels, []) AS opted_out_channels,
       coalesce(c.cease_active, false) AS cease_active,
       v.last_conversation_day
FROM optout AS o
FULL JOIN cease AS c USING (borrower_id)
FULL JOIN conversation AS v USING (borrower_id);
