"""The one error screening's data files raise (lexicons and the model alike)."""


class LexiconError(ValueError):
    """A lexicon or model file is malformed; the message names FILE:ROW:COLUMN."""
