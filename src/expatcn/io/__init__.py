"""The edges: files in and out (scenarios, trips, batches, reports). The engine never calls these."""
