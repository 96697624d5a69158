"""Pure-Python core: computation with no Django import."""
