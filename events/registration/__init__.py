"""Registration for conferences, exercises and awareness days (issue 27).

A member's registration is their RSVP (events.models.RSVP): one record, one rule, so the
waiting list, the attendance register and "who is coming" stay as they are. A guest's
registration is an RSVP without a user, which counts once the guest confirmed it by the
emailed link. The modules: models (the settings, questions and door staff), services (every
write), access (who may open the door page), forms, views, tickets (codes, QR, .ics), emails
and jobs.
"""
