"""The pages, by family: ``expenses`` (booking, list, detail, reversal, receipts), ``claims``,
``orders``, ``payouts``, ``reports`` (dashboard, exports, statement), ``yearly``, ``datev``,
``closing``, ``accounts`` (login) and ``health``. Views are thin: one access call
(``budget.access``), parse the form, call a service, turn a ``BookingError`` into a form error,
redirect.
"""
