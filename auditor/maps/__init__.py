"""Folium maps of a vehicle (Qt-free: the GUI shows the same HTML)."""
