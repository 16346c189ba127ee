"""The nursery's own pages: about, contact, delivery & returns, privacy, terms, the footer's details, the icon."""
