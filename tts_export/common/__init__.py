"""Facts shared by every layer, with no dependencies of their own: atomic files, time units and
language tags."""
