-- Gives DuckDB's memory limit back its default (80 % of the machine's memory). Returns nothing.
-- The import's budget is undone with it when the connection had the default: DuckDB prints a limit
-- rounded (e.g. '18.8 GiB'), so setting the printed value back would drift down import by import.
RESET memory_limit;
