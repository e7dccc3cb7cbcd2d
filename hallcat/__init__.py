"""The hall's catalogue vocabulary, shared by the back office and the kiosk (pure Python).

No database, no web, nothing of ours imported: the kiosk keeps an offline copy of the catalogue
and searches it with the same engine the back office uses.

* :mod:`hallcat.exchange`: the exchange format of docs/hall-exchange.md as typed models;
* :mod:`hallcat.completeness`: what publishing a matter requires;
* :mod:`hallcat.forms`: application forms (JSON Schema subset with ``x-ui`` hints);
* :mod:`hallcat.search` and :mod:`hallcat.pinyin`: pinyin search and its tokens;
* :mod:`hallcat.workdays`: the working-day calendar;
* :mod:`hallcat.numbers`: case and complaint numbers with check digits;
* :mod:`hallcat.errors`: this layer's exceptions (stable code, English and Chinese message).
"""
