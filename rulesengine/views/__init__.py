"""Data built for people from the analysis: why a ticket is owned by whom (explain), the
flow simulation's summaries, the responsibility matrix; the reports render them."""
