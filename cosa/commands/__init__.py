"""Command groups: thin Typer skins over the domain functions."""
