"""Speed and quality figures for notes-kg (`make bench`)."""
