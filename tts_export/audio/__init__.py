"""Assemble and export audio: placed clips in, one levelled, tagged, chaptered file out."""
