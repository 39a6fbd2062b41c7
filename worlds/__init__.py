"""Virtual worlds: landscapes, routes, avatar runs and journeys, live spectating."""
