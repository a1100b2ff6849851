"""Private helpers shared by every layer: argument validation, atomic file writes, language."""
