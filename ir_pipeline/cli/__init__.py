"""The ``irp`` command line: the composition root that builds settings, engine and actor."""
