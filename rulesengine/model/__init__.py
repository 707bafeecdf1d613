"""The compiled, immutable model (the one truth every consumer reads) and the value
types it is made of: conditions, durations, calendars and SLA clocks, ticket profiles and
what a compliance policy means for one ticket history."""
