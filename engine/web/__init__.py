"""The web service (``sagsrute serve``): the JSON API under /api/v1 and the caseworker's pages,
over the database ``import`` writes (docs/web.md)."""
