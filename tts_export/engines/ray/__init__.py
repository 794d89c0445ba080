"""The Ray executor: an engine adapter whose calls run on Ray actors (``tts-export[ray]``).

Importing this package does not import Ray; creating a ``RayEngine`` does.
"""

from tts_export.engines.ray.engine import RayEngine, RayStats

__all__ = ["RayEngine", "RayStats"]
