# Views are split by sub-area: dashboards.py, indicators.py, activities.py, assessments.py.
