"""Everyday words a caller uses for what a business writes differently.

A question is matched against the documents' own words, and callers rarely use them:
they ask what something "costs" of a page headed "Prices", when you "open" of "Opening
hours", where to "leave the car" of "Parking". Each group below is one idea; a query word
in a group matches a passage that has any word of the group, and the group counts once
towards how much of the question a passage covers. Only generic small-business words are
here (hours, prices, payment, location, parking, booking, cancelling, insurance,
emergencies, contact, days, home, medicines), never facts about one business. A word in two
groups ("pay": a price, a payment) matches the words of both. Words are compared after Porter
stemming, so "costs", "costing" and "cost" are one entry.
"""

from __future__ import annotations

SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "hours open opening opened close closing closed shut time times morning mornings "
        "afternoon afternoons evening evenings today tomorrow tonight",
        "price prices cost costs fee fees charge charges pricing rate rates expensive cheap "
        "afford dollars free pay",
        "payment pay paying card cards cash credit debit accept accepted methods",
        "location located address situated",
        "parking park car cars garage lot",
        "appointment appointments book booking schedule visit reserve slot",
        "cancel cancellation cancelling reschedule rescheduling postpone",
        "insurance insurer insured policy coverage cover covered claim claims",
        "emergency emergencies urgent urgently accident accidents",
        "phone call telephone contact reach number ring",
        "weekend weekends saturday saturdays sunday sundays",
        "weekday weekdays monday mondays tuesday tuesdays wednesday wednesdays thursday "
        "thursdays friday fridays",
        "home house",
        "not no without never",
        "medicine medicines medication medications prescription prescriptions tablets pills",
    )
)
