"""Registering an application: the form built from the matter's catalogue entry and guide."""
