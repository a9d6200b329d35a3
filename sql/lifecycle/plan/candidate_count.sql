-- How many candidates the day being decided proposed (n), recorded before or not.
SELECT count(*) AS n FROM candidates;
