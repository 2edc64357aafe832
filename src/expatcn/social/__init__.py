"""Social insurance: China contributions by city, bilateral agreements, host countries, outbound."""
