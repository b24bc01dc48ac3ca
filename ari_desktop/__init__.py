"""ARI Desktop: follow-up of patients in the ARI0002h CAR-T trial."""

__version__ = "0.1.0"
