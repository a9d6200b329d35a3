-- rendered_batch: one batch of rendered wording (registered as _planner_arrow), for record_rendered*.sql.
CREATE OR REPLACE TEMP TABLE rendered_batch AS SELECT * FROM _planner_arrow;
