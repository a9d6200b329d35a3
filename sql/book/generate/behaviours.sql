-- How many synthetic borrowers of this book follow each latent behaviour: one map {behaviour: borrowers}.
SELECT map(list(behaviour ORDER BY behaviour), list(n ORDER BY behaviour)) AS behaviours
FROM (SELECT behaviour, count(*) AS n FROM syn_borrowers GROUP BY behaviour);
