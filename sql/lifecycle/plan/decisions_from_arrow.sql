-- decisions: the table decide() returned (registered as _planner_arrow), for record's SQL files.
CREATE OR REPLACE TEMP TABLE decisions AS SELECT * FROM _planner_arrow;
