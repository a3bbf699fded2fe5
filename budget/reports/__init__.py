"""The read side: what the dashboard, ``summary.json``, the statement of use, the yearly overview
and the exports show. Nothing here writes; the figures come from the running totals the services
keep and from QuerySet methods that cost a fixed number of queries.

``dashboard`` (the figures and ``summary.json``), ``charts`` (bars and the spending chart),
``statement`` (the statement of use), ``exports`` and ``claims`` (CSV/Excel of the ledger and of
claims and orders), ``xlsx`` (the streaming Excel writer), ``datev`` (Buchungsstapel),
``yearly`` (the year's overview), ``audit`` (the change history in words), ``pdf`` (WeasyPrint).
"""
