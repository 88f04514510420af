"""Expenses: volunteers' mileage claims (issue 10). So far the mileage rules
(`rates.py`, pure) and the mileage rates as data (`models.py`)."""
