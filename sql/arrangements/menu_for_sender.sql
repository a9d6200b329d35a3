-- Returns, for each SMS text that reads as a plan-menu pick (registered table _menu_texts: seq,
-- sender, borrower_id: the borrower replies_match matched the text to, occurred_at), the open offer
-- it answers: token and menu (the option numbers its SMS menu listed: the first $menu_size options
-- that need no approval, as loan_comms/arrangements/offers.py lists them). A text has a row only when
--   (a) the offer is that borrower's (a shared number's other holder never picks for them),
--   (b) the LATEST outbound SMS to the sender's number before the text (sent or delivered, any
--       purpose) is the offer's own contact, so a bare "1" answering a later message (a survey, a
--       reminder) is not a pick from an older menu, and
--   (c) the offer is open when the text came: its contact went by SMS, it had not expired, and no
--       plan from it is active or waiting for review (a declined request leaves it open), and
--   (d) the number was not reported wrong or reassigned (events wrong_number / number_reassigned
--       on its point) between the offer and the text: it may be someone else's now (point_flags.sql).
-- Everything else stays a normal reply. land_choices re-checks the rest (a live plan on the loan...).
WITH latest AS (
    SELECT t.seq, arg_max(c.attempt_id, c.sent_at) AS attempt_id, max(c.sent_at) AS sent_at
    FROM _menu_texts AS t
    JOIN contact_attempts AS c
      ON c.contact_point = point_id('phone', t.sender) AND c.channel = 'sms'
     AND c.status IN ('sent', 'delivered') AND c.sent_at IS NOT NULL AND c.sent_at <= t.occurred_at
    GROUP BY t.seq
)
SELECT t.seq, o.token,
       coalesce(list_slice((SELECT list(x.option_no ORDER BY x.option_no) FROM arrangement_offer_options AS x
                            WHERE x.token = o.token AND NOT x.needs_review), 1, $menu_size::INTEGER), []) AS menu
FROM _menu_texts AS t
JOIN latest AS l USING (seq)
JOIN arrangement_offers AS o ON o.attempt_id = l.attempt_id
WHERE o.channel = 'sms'
  AND o.borrower_id = t.borrower_id
  AND o.expires_at >= t.occurred_at
  AND NOT EXISTS (SELECT 1 FROM arrangements AS a WHERE a.offer_token = o.token
                     AND a.status IN ('active', 'pending_review'))
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                  WHERE e.kind IN ('wrong_number', 'number_reassigned')
                    AND e.contact_point = point_id('phone', t.sender)
                    AND e.occurred_at BETWEEN l.sent_at AND t.occurred_at)
ORDER BY t.seq;
