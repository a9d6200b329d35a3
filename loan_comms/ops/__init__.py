"""Operations: the run lock, alerts, day summaries, and Prefect's local-mode settings.

Import the module you need (`loan_comms.ops.run_lock`, `.alerting`, `.report`, `.prefect_env`,
`.demo_summary`): this package re-exports nothing, so the database layer can use the run lock
without pulling in the planner that the reports describe.
"""
