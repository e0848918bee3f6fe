"""Every write of the meetings app goes through these services (views, tasks, demo data call them)."""
