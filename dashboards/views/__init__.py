"""Plain functions that build each page's components from the marts (tests call them)."""
