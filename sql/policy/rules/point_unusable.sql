-- point_unusable: the contact's point does not reach the borrower: the dialer or an operator said
-- wrong number, or the reassigned-numbers file says the number changed hands, after the borrower
-- last verified it (point_routes.blocked), and the borrower has no other usable point on the
-- channel; or a planned contact's recorded point is no longer theirs. Never waived for legally
-- required steps: the message would go to someone else (letters go by post and are not judged here).
-- Why: Reg F 1006.6(d) / 1006.2(e) (third parties), TCPA reassigned numbers (FCC RND safe harbor),
-- issue 11 case 4. Audit: wrong_number_honoured.
SELECT g.idempotency_key, 'point_unusable' AS reason
FROM gate_subjects AS g
WHERE g.point_blocked = 'point_unusable';
