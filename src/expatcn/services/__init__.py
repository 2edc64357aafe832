"""The use cases: what the command line, the HTTP API and the web pages all call.

Each module is one use case. It takes validated input (a scenario model, trip records, amounts
in fen), loads the law, runs the engines and returns a typed answer (a pydantic model): the CLI
renders it as a table or prints it as JSON, the API returns it as its response model, the web
templates read it. No rule lives here; the answers only carry the engines' figures (amounts as
strings of yuan, ``"12345.60"``) and their law.

* :mod:`.tax` — a person-year (``expatcn tax``/``example``, ``POST /api/tax``) and a batch file
* :mod:`.residency` — days in China, status, the six-year clock from trip records
* :mod:`.social` — one employee's contributions for a city and month; the cities
* :mod:`.month` — a full year gross → contributions → IIT → net and employer cost
* :mod:`.grossup` — net → gross, with the trace of the gross found
* :mod:`.equalize` — a tax-equalized assignment
* :mod:`.outbound` — a Chinese employee sent abroad
* :mod:`.plan` — the assignment planner: structures compared year by year
* :mod:`.check` — a file of cases (scenarios with expected figures) checked through the above
"""
