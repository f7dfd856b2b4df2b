"""newsweave: one story, woven from many sources."""

__version__ = "0.1.0"
