"""The HTTP API (FastAPI): routes (:mod:`.routes`), who is calling (:mod:`.auth`), what a failed
request answers (:mod:`.errors`), request models (:mod:`.schemas`). The application itself is
composed in :mod:`expatcn.server`."""
