from . import campaigns, catalogue, decisions, people, ratings  # noqa: F401  (registers)
