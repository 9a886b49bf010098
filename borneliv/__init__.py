"""Børneliv: run, document and evaluate *Børneliv i sund balance*."""
