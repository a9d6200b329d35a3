-- Offers already taken (registered _plan_keys.k may hold anything: the tokens are read whole here
-- because a batch is small): a plan from the offer is active or waiting for review. A declined
-- request leaves its offer open for another choice.
SELECT DISTINCT offer_token FROM arrangements
WHERE offer_token IS NOT NULL AND status IN ('active', 'pending_review');
