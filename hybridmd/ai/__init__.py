"""AI solutions: registry, connectors, jobs, results, specialist feedback, track records."""
