"""Forms parse what people type (German amounts and dates) and nothing else; the rules live in
``budget.services``. ``expenses`` (booking, reversal, filters, closing), ``claims`` (claims,
orders, payouts), ``one_time_keys`` (a form that books is sent once).
"""
