"""AI platform engines: results, connectors, feedback consensus and track records (no Django)."""
