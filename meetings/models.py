# Meetings of the advisory bodies: agendas, attendance, minutes, decisions, action items, feedback.
