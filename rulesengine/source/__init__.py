"""The input side: rules files read as YAML with a position for every node, checked
against the shipped JSON Schemas; nothing here knows what a role or a workflow means."""
