"""Lessons as data and as computation: format, loader, kernel, checks, progress."""
