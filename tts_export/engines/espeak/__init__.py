"""espeak-ng, offline and instant, through ctypes."""
