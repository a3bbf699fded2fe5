"""The pages, by family: ``expenses`` (booking, list, detail, reversal, receipts), ``claims``,
``orders``, ``payouts``, ``reports`` (dashboard, exports, statement), ``resolutions``,
``yearly``, ``datev``, ``closing``, ``accounts`` (login) and ``health``; ``files`` answers with a
file, ``receipt_forms`` is the one send flow of a form with a receipt.

Views are thin: one access call (``budget.access``), parse the form, call a service, turn a
``BookingError`` into a form error, redirect.
"""
