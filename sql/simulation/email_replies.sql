-- Simulated e-mail replies to the e-mails sent on local day $as_of (about 0.6% of them), three hours
-- after the e-mail, from the address it went to (its recorded contact point, through the recipients
-- view), in the borrower's language. What the reply says is drawn by hash: an unsubscribe in the
-- borrower's words (40%), hardship (15%), a question (15%), a promise to pay (10%), thanks (20%). The
-- simulator writes each as a .eml that quotes our message, whose footer says "reply UNSUBSCRIBE":
-- only the new words may count. Returns (attempt_id, address, language, intent, key, occurred_at).
WITH sent AS (
    SELECT a.attempt_id, a.sent_at, r.address, b.language,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':email_reply')) % 100000) / 100000.0 AS r,
           hash(concat($seed::VARCHAR, ':', a.attempt_id, ':email_intent')) % 100 AS k
    FROM contact_attempts AS a JOIN borrowers AS b USING (borrower_id)
    JOIN recipients AS r
      ON r.borrower_id = a.borrower_id AND r.channel = 'email'
     AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
    WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'email' AND a.sent_at IS NOT NULL
)
SELECT attempt_id, address, CASE WHEN language = 'zh-CN' THEN 'zh' ELSE 'en' END AS language,
       CASE WHEN k < 40 THEN 'opt_out_email' WHEN k < 55 THEN 'hardship' WHEN k < 70 THEN 'question'
            WHEN k < 80 THEN 'promise_to_pay' ELSE 'chatter' END AS intent,
       'email:' || attempt_id AS key,
       sent_at + INTERVAL 3 HOUR AS occurred_at
FROM sent
WHERE r < 0.006
ORDER BY occurred_at, attempt_id;
