"""Exchange formats: parse files into domain objects, write domain objects to files."""
