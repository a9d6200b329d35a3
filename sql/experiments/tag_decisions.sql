-- The experiment and the arm each of today's decisions was planned under (day_arms: the arm the
-- borrower was planned with today, 'champion' once they left it), added to temp table decisions as
-- columns experiment and arm (NULL outside any experiment), so the log says which treatment every
-- contact belonged to. The template a decision renders (template_kind) is its arm's wording variant
-- for the step (cfg_arm_templates) or the step itself. Returns nothing.
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS experiment VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS arm VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS template_kind VARCHAR;
UPDATE decisions AS d
SET experiment = a.experiment,
    arm = CASE WHEN a.arm_key = 'champion' THEN 'champion' ELSE a.arm END,
    template_kind = coalesce((SELECT t.kind FROM cfg_arm_templates AS t
                              WHERE t.arm_key = a.arm_key AND t.step = d.step), d.step)
FROM day_arms AS a
WHERE a.borrower_id = d.borrower_id;
UPDATE decisions SET template_kind = step WHERE template_kind IS NULL;
