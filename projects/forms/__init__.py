# Forms are split by sub-area: activities.py, assessments.py, indicators.py.
