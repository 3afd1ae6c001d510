"""Pieces of the benchmark: process accounting, load generators, fixtures, servers and the report."""
