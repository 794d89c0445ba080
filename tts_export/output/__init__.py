"""What a render writes out: the export stage, its staging, the manifest, the inspect report,
the typed results and the listening page (``publish``)."""
