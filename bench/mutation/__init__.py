"""The mutation check of the money-critical code (issue 15): see __main__.py."""
