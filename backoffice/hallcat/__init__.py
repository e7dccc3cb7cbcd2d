"""The hall's catalogue vocabulary, shared by the back office and the kiosk (pure Python).

No database, no web, nothing of ours imported: the kiosk keeps an offline copy of the catalogue
and searches it with the same engine the back office uses.

* :mod:`backoffice.hallcat.exchange`: the exchange format of docs/hall-exchange.md as typed models;
* :mod:`backoffice.hallcat.completeness`: what publishing a matter requires;
* :mod:`backoffice.hallcat.forms`: application forms (JSON Schema subset with ``x-ui`` hints);
* :mod:`~backoffice.hallcat.search` and :mod:`~backoffice.hallcat.pinyin`: pinyin search, tokens;
* :mod:`backoffice.hallcat.workdays`: the working-day calendar;
* :mod:`backoffice.hallcat.numbers`: case and complaint numbers with check digits;
* :mod:`backoffice.hallcat.errors`: this layer's exceptions (stable code, English and Chinese
  message).
"""
