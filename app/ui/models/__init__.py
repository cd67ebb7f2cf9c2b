"""Item models shared by the panels."""
