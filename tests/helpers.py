"""What many test files share and is not a fixture: the headers of an htmx request (more to move here
from conftest, issue 27)."""

HX = {"HX-Request": "true"}  # what htmx sends with every request it makes
