-- What the generator produced for $seed: rows per table of this book and borrowers per latent behaviour.
SELECT (SELECT count(*) FROM syn_borrowers) AS borrowers,
       (SELECT count(*) FROM syn_loans) AS loans,
       (SELECT count(*) FROM installments WHERE loan_id IN (SELECT loan_id FROM syn_loans)) AS installments,
       (SELECT count(*) FROM payment_feed WHERE source = 'synthetic') AS payments,
       (SELECT map(list(behaviour ORDER BY behaviour), list(n ORDER BY behaviour))
        FROM (SELECT behaviour, count(*) AS n FROM syn_borrowers GROUP BY behaviour)) AS behaviours;
