"""Public data dlrig downloads: exchange-rate services today (``dlrig rates update``).

A source module knows one service's address and response format, and turns a response
into dlrig's own records (``Rate``), refusing anything that is not what the service
documents. It never writes the database: ``dlrig.store`` does, all or nothing, after
every record of an update has been read and checked.
"""
