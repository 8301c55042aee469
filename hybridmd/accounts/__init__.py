"""Physicians and other users, licence verification, specialties, facilities and roles."""
