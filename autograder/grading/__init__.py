"""The grading pipeline behind `micrograd-course` (a package, so that a built wheel holds it)."""

import sys

# jsonschema, which nbformat imports, loads rfc3987_syntax wherever that is installed (the
# format-nongpl extra jupyter-events asks for installs it), and rfc3987_syntax builds 38
# parsers as it loads: 1.4 s of CPU for every grading process, the driver, each worker, each
# Dask worker. It checks two formats, iri and iri-reference, that no notebook or gradebook
# schema uses; jsonschema goes on without them when the import fails, as it fails with None
# in its place.
sys.modules.setdefault("rfc3987_syntax", None)
