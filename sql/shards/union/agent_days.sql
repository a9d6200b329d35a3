-- agent_days over every shard (the view of the same name in a union connection, union.py): each
-- shard records the shifts its own calls and visits used, so one agent's shift can be in several;
-- the first recorded wins, as in one book (sql/schema/100_collectors.sql: capacity and hours judged
-- against the first snapshot). Reads _all_agent_days (every shard's rows, UNION ALL).
CREATE OR REPLACE VIEW agent_days AS
SELECT * FROM _all_agent_days
QUALIFY row_number() OVER (PARTITION BY agent_id, work_date ORDER BY recorded_at, team) = 1;
