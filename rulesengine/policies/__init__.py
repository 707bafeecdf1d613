"""Compliance policies: auditors' own requirements on the rules (``policies/*.yaml``).

``meaning`` says what a policy means for one ticket history (reusable by a log
audit), ``compile`` turns the YAML into :class:`~rulesengine.model.Policy` objects and
``search`` looks for the shortest ticket history that breaks a policy in the
exhaustive exploration; the rules ``RE501``–``RE508`` report what it finds.
"""
