"""The use cases: what the CLI, the API and the web app all call. Each module takes validated
input (or the data a front door received) and returns a typed answer model, which the CLI
renders, the API returns as its response model and the web templates read."""
