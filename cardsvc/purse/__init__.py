"""The terminal side of the citizen card's e-purse (card-spec.md section 3)."""
