# Scheduled and recurring communications live here; stakeholders' per-category
# preferences are on the stakeholders app (stakeholders.CommunicationPreference).
