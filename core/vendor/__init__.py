"""Third-party code kept in the tree, unchanged, with its licence beside it (see each package)."""
